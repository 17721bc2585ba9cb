//! Cost estimates from the models data's price tables (`kling-api.md` section 11; RunBlob's USD
//! prices where its pages give one).

use std::fmt;

use serde::Serialize;

use super::check::holds;
use super::{Facts, Per, find};

/// What a price is paid in. Units of different pack types are not interchangeable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Currency {
    /// Units of a video resource pack (listed at US$0.14 each).
    VideoUnits,
    /// Units of an image resource pack (listed at US$0.0035 each).
    ImageUnits,
    /// US dollars (RunBlob).
    Usd,
}

impl Currency {
    /// `video units`, `image units`, `USD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VideoUnits => "video units",
            Self::ImageUnits => "image units",
            Self::Usd => "USD",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Per {
    /// `second`, `image`, `call`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Second => "second",
            Self::Image => "image",
            Self::Call => "call",
        }
    }
}

/// What a create will cost, by the vendor's price table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Estimate {
    /// The priced model's name on the wire.
    pub model: &'static str,
    /// The rate of the price row that applies.
    pub rate: f64,
    /// What the rate counts.
    pub per: Per,
    /// How many of those the create makes, when known before it runs (a motion-control video
    /// is as long as the usable motion of its reference: unknown).
    pub quantity: Option<f64>,
    /// What `rate` is in: video units, image units or US dollars.
    pub currency: Currency,
}

impl Estimate {
    /// The total (rate × quantity), when the quantity is known.
    pub fn total(&self) -> Option<f64> {
        self.quantity.map(|q| self.rate * q)
    }
}

impl fmt::Display for Estimate {
    /// `4.0 video units (5 seconds × 0.8)` or `0.8 video units per second`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (rate, per) = (amount(self.rate), self.per.as_str());
        match self.quantity {
            Some(q) => write!(
                f,
                "{} {} ({q} {per}{} × {rate})",
                amount(self.rate * q),
                self.currency,
                if q == 1.0 { "" } else { "s" }
            ),
            None => write!(
                f,
                "{rate} {} per {per} (the output's length is not known before it runs)",
                self.currency
            ),
        }
    }
}

/// An amount as estimates print it: as many decimals as it needs, at most 4 (`4.0`, `0.029`).
pub fn amount(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.contains('.') {
        text.to_owned()
    } else {
        format!("{text}.0")
    }
}

/// What the create described by `facts` will cost, from the first price row of its model that
/// applies; `None` when the data has no price for it (unknown model, unpriced endpoint).
pub fn estimate(facts: &Facts<'_>) -> Option<Estimate> {
    let model = find(facts.api, facts.model_name())?;
    let spec = model.endpoint(facts.endpoint)?;
    if !spec.offered {
        return None;
    }
    let defaults = &spec.defaults;
    let row = model.prices.iter().find(|p| {
        (p.endpoints.is_empty() || p.endpoints.contains(&facts.endpoint))
            && holds(&p.when, facts, defaults)
    })?;
    let quantity = match row.per {
        Per::Second if facts.length_follows_input => None,
        Per::Second => facts.duration.value.or(defaults.duration).map(f64::from),
        Per::Image => Some(f64::from(facts.outputs)),
        Per::Call => Some(1.0),
    };
    Some(Estimate {
        model: model.name,
        rate: row.amount,
        per: row.per,
        quantity,
        currency: row.currency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Api;

    #[test]
    fn amounts_keep_what_they_need() {
        assert_eq!(amount(4.0), "4.0");
        assert_eq!(amount(0.029), "0.029");
        assert_eq!(amount(2.4000001), "2.4");
    }

    #[test]
    fn the_first_row_that_holds_prices_the_create() {
        let silent = Facts::new(Api::Standard, "text-to-video", "", "kling-3.0")
            .duration("settings.duration", Some(5));
        let e = estimate(&silent).unwrap();
        assert_eq!(
            (e.rate, e.total(), e.currency),
            (0.6, Some(3.0), Currency::VideoUnits)
        );
        let loud = silent
            .clone()
            .audio("settings.audio", Some("native"))
            .resolution("settings.resolution", Some("1080p"));
        assert_eq!(estimate(&loud).unwrap().rate, 1.2);
        let four_k = silent.resolution("settings.resolution", Some("4k"));
        assert_eq!(estimate(&four_k).unwrap().rate, 3.0);
        let unknown = Facts::new(Api::Standard, "text-to-video", "", "kling-9");
        assert!(estimate(&unknown).is_none());
    }
}
