//! The athlete's recovery option lists (`GET`/`PUT /api/v1/profile/access` and `/health`):
//! the stored words with every word accepted, and replacing a list whole. The words are the
//! core's ([`Access::ALL`], [`HealthCondition::ALL`]); the use cases are `fettle_app::recovery`'s,
//! the ones `fettle profile access|health` call.

use std::collections::BTreeSet;

use fettle_app::{AppError, recovery};
use fettle_core::limits::Violation;
use fettle_core::recovery::{Access, HealthCondition};
use fettle_store::{AthleteId, Store};

use crate::error::{ApiError, JsonBody, Reply};

/// One of the athlete's recovery option lists (access, health) and the use cases over it.
pub(crate) struct OptionList<T: 'static> {
    /// What one item is, for messages (`access`, `health condition`).
    what: &'static str,
    /// Every item the list accepts, in the order the page shows them.
    all: &'static [T],
    parse: fn(&str) -> Option<T>,
    word: fn(T) -> &'static str,
    list: fn(&dyn Store, AthleteId) -> Result<Vec<String>, AppError>,
    add: ChangeList,
    remove: ChangeList,
}

/// A use case that adds words to, or removes them from, a list and returns the whole list.
type ChangeList = fn(&dyn Store, AthleteId, &[String]) -> Result<Vec<String>, AppError>;

/// The equipment and services list (`fettle profile access`).
pub(crate) const ACCESS_LIST: OptionList<Access> = OptionList {
    what: "access",
    // The recovery catalogue's list (also what the CLI accepts and `GET /vocabulary` lists).
    all: &Access::ALL,
    parse: Access::parse,
    word: Access::as_str,
    list: recovery::list_access,
    add: recovery::add_access,
    remove: recovery::remove_access,
};

/// The health exclusions list (`fettle profile health`).
pub(crate) const HEALTH_LIST: OptionList<HealthCondition> = OptionList {
    what: "health condition",
    // The core's one list (also what the CLI accepts).
    all: &HealthCondition::ALL,
    parse: HealthCondition::parse,
    word: HealthCondition::as_str,
    list: recovery::list_health,
    add: recovery::add_health,
    remove: recovery::remove_health,
};

/// A list as answered: the items stored and every word accepted (the page's checkboxes).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = OptionList,
    description = "An access or health list as stored and the words it accepts."
)]
pub(crate) struct OptionsAnswer {
    /// The words stored, sorted.
    items: Vec<String>,
    /// Every word accepted, e.g. `compression-boots`, `ice-bath` (access) or `raynauds`
    /// (health).
    #[schema(value_type = Vec<String>)]
    choices: Vec<&'static str>,
}

impl<T: Copy> OptionList<T> {
    fn choices(&self) -> Vec<&'static str> {
        self.all.iter().map(|&item| (self.word)(item)).collect()
    }

    fn answer(&self, items: Vec<String>) -> Reply {
        JsonBody::new(&OptionsAnswer {
            items,
            choices: self.choices(),
        })
    }

    /// The stored list with the accepted words.
    pub(crate) fn show(&self, store: &dyn Store, athlete: AthleteId) -> Reply {
        self.answer((self.list)(store, athlete)?)
    }

    /// Makes the stored list `items`: every word is checked first (so an unknown one changes
    /// nothing), then the missing ones are removed and the new ones added.
    pub(crate) fn replace(&self, store: &dyn Store, athlete: AthleteId, items: &[String]) -> Reply {
        let mut wanted = BTreeSet::new();
        for item in items {
            let parsed = (self.parse)(item).ok_or_else(|| {
                let choices = self.choices().join(", ");
                ApiError::violations(vec![Violation::new(
                    "items",
                    item.as_str(),
                    format!("one of {choices}"),
                    format!("unknown {} `{item}`: use {choices}", self.what),
                )])
            })?;
            wanted.insert((self.word)(parsed));
        }
        let stored = (self.list)(store, athlete)?;
        let gone: Vec<String> = stored
            .iter()
            .filter(|s| !wanted.contains(s.as_str()))
            .cloned()
            .collect();
        let new: Vec<String> = wanted
            .iter()
            .filter(|w| !stored.iter().any(|s| s == *w))
            .map(|w| (*w).to_owned())
            .collect();
        // The use cases refuse an empty word list: call them only with something to do.
        if !gone.is_empty() {
            (self.remove)(store, athlete, &gone)?;
        }
        if !new.is_empty() {
            (self.add)(store, athlete, &new)?;
        }
        self.show(store, athlete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a variant is added without being offered on the page.
    fn offered_health(item: HealthCondition) -> bool {
        use HealthCondition as H;
        match item {
            H::UncontrolledHypertension
            | H::HeartDisease
            | H::Raynauds
            | H::ColdUrticaria
            | H::Cryoglobulinaemia
            | H::Pregnancy
            | H::OpenWounds
            | H::DvtRisk
            | H::AcuteInjury
            | H::Inflammation
            | H::PeripheralArterialDisease
            | H::SkinLesions => HEALTH_LIST.all.contains(&item),
        }
    }

    #[test]
    fn every_access_and_health_word_is_offered_and_parses_back_to_itself() {
        // The page offers exactly the catalogue's access words, in its order.
        let catalogue: Vec<&str> = fettle_core::recovery::catalogue::vocabulary()
            .access
            .iter()
            .map(|a| a.word)
            .collect();
        assert_eq!(ACCESS_LIST.choices(), catalogue);
        for &item in ACCESS_LIST.all {
            assert_eq!(Access::parse(item.as_str()), Some(item));
        }
        for &item in HEALTH_LIST.all {
            assert!(offered_health(item));
            assert_eq!(HealthCondition::parse(item.as_str()), Some(item));
        }
        assert_eq!(HEALTH_LIST.choices().len(), 12);
    }
}
