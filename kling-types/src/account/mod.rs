//! Account (`kling-api.md` 3.14, 10.5): the resource packs, and what was deducted for each
//! task, from the packs (`/account/billing/package`) and from the cash balance
//! (`/account/billing/balance`).

mod billing;
mod costs;

pub use billing::*;
pub use costs::*;
