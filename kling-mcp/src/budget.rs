//! What a session may spend: each create's estimate is reserved before it is posted, and
//! given back when the create made nothing.

use kling_types::models::Estimate;

/// A session's budget, in the units of the account's packs (or US dollars for RunBlob).
#[derive(Debug)]
pub(crate) struct Budget {
    limit: Option<f64>,
    spent: f64,
}

impl Budget {
    pub(crate) fn new(limit: Option<f64>) -> Self {
        Self { limit, spent: 0.0 }
    }

    /// What is left (`None`: no limit).
    pub(crate) fn left(&self) -> Option<f64> {
        self.limit.map(|l| (l - self.spent).max(0.0))
    }

    /// Takes `estimate` from what is left, or says why not.
    pub(crate) fn reserve(&mut self, estimate: Option<&Estimate>) -> Result<(), String> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let Some(cost) = estimate.and_then(Estimate::total) else {
            return Err(
                "this create's cost cannot be estimated from the models data, and the session \
                 has a budget: refused (estimate_cost shows what is known)"
                    .to_owned(),
            );
        };
        let left = (limit - self.spent).max(0.0);
        if cost > left {
            return Err(format!(
                "over budget: this create is estimated at {cost} units and {left} are left of \
                 the session's {limit}; nothing was created"
            ));
        }
        self.spent += cost;
        Ok(())
    }

    /// Gives `estimate` back (the create made nothing).
    pub(crate) fn release(&mut self, estimate: Option<&Estimate>) {
        if self.limit.is_some()
            && let Some(cost) = estimate.and_then(Estimate::total)
        {
            self.spent = (self.spent - cost).max(0.0);
        }
    }
}
