//! What every legacy create shares: the caller's id, the callback and the validation switch
//! (`deliver!`). A leaf: command modules use it, it uses none of them.

/// Sets what every legacy create shares: ids, callback, validation.
macro_rules! deliver {
    ($r:ident, $delivery:expr, $flow:expr) => {{
        if let Some(id) = &$delivery.external_task_id {
            $r.external_task_id = Some(id.clone());
        }
        if let Some(url) = &$delivery.callback_url {
            $r.callback_url = Some(url.clone());
        }
        if $flow.no_validate {
            $r = $r.without_validation();
        }
    }};
}
pub(crate) use deliver;
