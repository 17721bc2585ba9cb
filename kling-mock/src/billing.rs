//! What the account pays with: Kling's resource pack (units) and RunBlob's wallet (dollars).
//! Both go down as the mock charges tasks, so `/account/costs`, the ledgers and RunBlob's
//! balance agree with what the tasks cost.
//!
//! A task that will fail is never charged: Kling and RunBlob refund a failed task, and the mock
//! knows at the create whether it will fail, so the charge and its refund collapse into none.

/// The pack's size when the configuration sets no credits: the first of as many packs as the
/// account uses (a new one is bought when it runs low, so creates are never refused).
pub(crate) const UNLIMITED_PACK: u64 = 100_000;
/// RunBlob's balance when the configuration sets no credits, in cents.
const UNLIMITED_WALLET_CENTS: u64 = 10_000;
/// What a unit of [`MockConfig::credits`](crate::MockConfig::credits) is worth on RunBlob, in
/// cents (the classic generation's price).
pub(crate) const UNIT_CENTS: u64 = 15;

/// Kling's resource pack: units bought and units left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pack {
    /// Whether running out refuses creates (credits configured); else a new pack is bought.
    limited: bool,
    /// Units bought (the configured credits, top-ups, the packs bought since).
    total: u64,
    /// Units left.
    left: u64,
}

impl Pack {
    /// The pack of `credits` units (`None`: unlimited).
    pub(crate) fn new(credits: Option<u64>) -> Self {
        let total = credits.unwrap_or(UNLIMITED_PACK);
        Self {
            limited: credits.is_some(),
            total,
            left: total,
        }
    }

    /// Units bought.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Units left.
    pub(crate) fn left(&self) -> u64 {
        self.left
    }

    /// Whether `units` can be paid now.
    pub(crate) fn can_pay(&self, units: u64) -> bool {
        !self.limited || self.left >= units
    }

    /// Takes `units` (call [`can_pay`](Self::can_pay) first); returns the units left before.
    pub(crate) fn charge(&mut self, units: u64) -> u64 {
        while !self.limited && self.left < units {
            self.total = self.total.saturating_add(UNLIMITED_PACK);
            self.left = self.left.saturating_add(UNLIMITED_PACK);
        }
        let before = self.left;
        self.left = self.left.saturating_sub(units);
        before
    }

    /// Adds `units` (a limited pack only: an unlimited one never needs them).
    pub(crate) fn top_up(&mut self, units: u64) {
        if self.limited {
            self.total = self.total.saturating_add(units);
            self.left = self.left.saturating_add(units);
        }
    }
}

/// RunBlob's balance, in cents: $100.00, or the configured credits at the classic price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wallet {
    /// Whether running out refuses generations (credits configured); else it is refilled.
    limited: bool,
    cents: u64,
}

impl Wallet {
    /// The wallet of `credits` units (`None`: unlimited).
    pub(crate) fn new(credits: Option<u64>) -> Self {
        Self {
            limited: credits.is_some(),
            cents: credits.map_or(UNLIMITED_WALLET_CENTS, |c| c.saturating_mul(UNIT_CENTS)),
        }
    }

    /// Whether `cents` can be paid now.
    pub(crate) fn can_pay(&self, cents: u64) -> bool {
        !self.limited || self.cents >= cents
    }

    /// Takes `cents` (call [`can_pay`](Self::can_pay) first).
    pub(crate) fn charge(&mut self, cents: u64) {
        while !self.limited && self.cents < cents {
            self.cents = self.cents.saturating_add(UNLIMITED_WALLET_CENTS);
        }
        self.cents = self.cents.saturating_sub(cents);
    }

    /// Adds `units` at the classic price (a limited wallet only).
    pub(crate) fn top_up(&mut self, units: u64) {
        if self.limited {
            self.cents = self.cents.saturating_add(units.saturating_mul(UNIT_CENTS));
        }
    }

    /// The balance as RunBlob shows it (`"99.85"`).
    pub(crate) fn shown(&self) -> String {
        dollars(self.cents)
    }
}

/// `cents` as dollars with two decimals.
pub(crate) fn dollars(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limited_pack_refuses_what_it_cannot_pay() {
        let mut pack = Pack::new(Some(3));
        assert!(pack.can_pay(3) && !pack.can_pay(4));
        assert_eq!(pack.charge(2), 3);
        assert_eq!((pack.total(), pack.left()), (3, 1));
        pack.top_up(5);
        assert_eq!((pack.total(), pack.left()), (8, 6));
    }

    #[test]
    fn an_unlimited_pack_goes_down_and_buys_another() {
        let mut pack = Pack::new(None);
        assert_eq!(pack.charge(1), UNLIMITED_PACK);
        assert_eq!(pack.left(), UNLIMITED_PACK - 1);
        pack.top_up(5);
        assert_eq!(pack.total(), UNLIMITED_PACK, "no top-up needed");
        assert!(pack.can_pay(UNLIMITED_PACK * 3));
        pack.charge(UNLIMITED_PACK);
        assert_eq!(
            (pack.total(), pack.left()),
            (2 * UNLIMITED_PACK, UNLIMITED_PACK - 1)
        );
    }

    #[test]
    fn the_wallet_counts_cents() {
        let mut wallet = Wallet::new(None);
        assert_eq!(wallet.shown(), "100.00");
        wallet.charge(15);
        wallet.charge(4);
        assert_eq!(wallet.shown(), "99.81");
        let mut wallet = Wallet::new(Some(2));
        assert_eq!(wallet.shown(), "0.30");
        assert!(wallet.can_pay(30) && !wallet.can_pay(31));
        wallet.charge(30);
        assert!(!wallet.can_pay(4));
        wallet.top_up(1);
        assert_eq!(wallet.shown(), "0.15");
    }
}
