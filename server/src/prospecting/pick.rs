//! Which people a selection names, decided without the store: the ids a customer
//! ticked (each once, in the order given, all of them within the search), or every
//! result the search answers, in its order and up to the count the customer asked
//! for ("give me 10 …"). One purchase holds at most a fixed number of records.
//! `http/prospecting/selection.rs` gathers the inputs and words the refusals.

use quarry_shared::prospecting::SelectionMode;
use roaring::RoaringBitmap;

use super::prospect_id;

/// Offending ids named in a refusal.
const NAMED: usize = 10;

/// What the search answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Answered {
    /// The session asked for a count: exactly these, in result order.
    Counted(Vec<u32>),
    /// Every match, in the order `order` puts them when all are bought.
    Every(RoaringBitmap),
}

impl Answered {
    fn count(&self) -> u64 {
        match self {
            Answered::Counted(ids) => ids.len() as u64,
            Answered::Every(set) => set.len(),
        }
    }
}

/// Why a selection names nobody to buy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickError {
    #[error("prospect_ids must list the previews to buy for selection_mode selected or page")]
    NoneNamed,
    #[error("At most {cap} prospect_ids per request.")]
    TooManyNamed { cap: u32 },
    #[error("Not in this search: {}.", named(.0))]
    NotInSearch(Vec<String>),
    #[error("This search matches {count} records; one purchase holds at most {cap}. Narrow it with filters.")]
    TooManyResults { count: u64, cap: u32 },
}

impl PickError {
    /// The request field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            PickError::TooManyResults { .. } => "body.selection_mode",
            _ => "body.prospect_ids",
        }
    }
}

/// The people to buy for `mode`: `given` (previews' `prospect_id`s) for `selected`
/// and `page`, every answered result for `all_results`; `order` sorts an uncounted
/// search's matches into result order.
pub fn pick(
    mode: SelectionMode,
    given: &[String],
    answered: Answered,
    cap: u32,
    order: impl FnOnce(RoaringBitmap) -> Vec<u32>,
) -> Result<Vec<u32>, PickError> {
    match mode {
        SelectionMode::Selected | SelectionMode::Page => {
            if given.is_empty() {
                return Err(PickError::NoneNamed);
            }
            if given.len() > cap as usize {
                return Err(PickError::TooManyNamed { cap });
            }
            let allowed: RoaringBitmap = match answered {
                Answered::Counted(ids) => ids.into_iter().collect(),
                Answered::Every(set) => set,
            };
            let mut ids = Vec::with_capacity(given.len());
            let mut seen = RoaringBitmap::new();
            let mut outside = Vec::new();
            for raw in given {
                match prospect_id::decode(raw) {
                    Some(id) if allowed.contains(id) => {
                        if seen.insert(id) {
                            ids.push(id);
                        }
                    }
                    _ => outside.push(raw.clone()),
                }
            }
            if outside.is_empty() {
                Ok(ids)
            } else {
                Err(PickError::NotInSearch(outside))
            }
        }
        SelectionMode::AllResults => {
            let count = answered.count();
            if count > u64::from(cap) {
                return Err(PickError::TooManyResults { count, cap });
            }
            Ok(match answered {
                Answered::Counted(ids) => ids,
                Answered::Every(set) => order(set),
            })
        }
    }
}

fn named(ids: &[String]) -> String {
    let mut text = ids
        .iter()
        .take(NAMED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > NAMED {
        text.push_str(&format!(" and {} more", ids.len() - NAMED));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pids(ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&id| prospect_id::encode(id)).collect()
    }

    fn every(ids: &[u32]) -> Answered {
        Answered::Every(ids.iter().copied().collect())
    }

    /// Result order for the tests: highest id first.
    fn descending(set: RoaringBitmap) -> Vec<u32> {
        let mut ids: Vec<u32> = set.iter().collect();
        ids.reverse();
        ids
    }

    fn never(_: RoaringBitmap) -> Vec<u32> {
        panic!("a selection of ids needs no ordering")
    }

    #[test]
    fn ticked_ids_are_bought_once_each_in_the_order_given() {
        let picked = pick(
            SelectionMode::Selected,
            &pids(&[7, 3, 7, 5]),
            every(&[3, 5, 7, 9]),
            100,
            never,
        );
        assert_eq!(picked, Ok(vec![7, 3, 5]));
    }

    #[test]
    fn an_id_outside_the_search_refuses_the_whole_selection() {
        let mut given = pids(&[3]);
        given.push("not-an-id".into());
        given.extend(pids(&[42]));
        let refused = pick(SelectionMode::Page, &given, every(&[3, 5]), 100, never).unwrap_err();
        assert_eq!(refused.field(), "body.prospect_ids");
        assert_eq!(
            refused,
            PickError::NotInSearch(vec!["not-an-id".into(), prospect_id::encode(42)])
        );
        let many: Vec<u32> = (100..120).collect();
        let text = pick(SelectionMode::Page, &pids(&many), every(&[1]), 100, never)
            .unwrap_err()
            .to_string();
        assert!(text.ends_with(" and 10 more."), "{text}");
    }

    #[test]
    fn a_counted_search_only_sells_the_results_it_answers() {
        // "give me 2 …": matches 3, 5 and 9, but the search answers 9 and 5.
        let counted = Answered::Counted(vec![9, 5]);
        assert_eq!(
            pick(SelectionMode::AllResults, &[], counted.clone(), 100, never),
            Ok(vec![9, 5])
        );
        assert_eq!(
            pick(SelectionMode::Selected, &pids(&[3]), counted, 100, never),
            Err(PickError::NotInSearch(pids(&[3])))
        );
    }

    #[test]
    fn all_results_of_an_uncounted_search_come_in_result_order() {
        assert_eq!(
            pick(
                SelectionMode::AllResults,
                &[],
                every(&[1, 2, 3]),
                100,
                descending
            ),
            Ok(vec![3, 2, 1])
        );
        // Ids sent along with all_results are not what decides.
        assert_eq!(
            pick(
                SelectionMode::AllResults,
                &pids(&[1]),
                every(&[1, 2]),
                100,
                descending
            ),
            Ok(vec![2, 1])
        );
    }

    #[test]
    fn one_purchase_has_a_cap() {
        let refused = pick(
            SelectionMode::AllResults,
            &[],
            every(&[1, 2, 3]),
            2,
            descending,
        )
        .unwrap_err();
        assert_eq!(refused, PickError::TooManyResults { count: 3, cap: 2 });
        assert_eq!(refused.field(), "body.selection_mode");
        assert_eq!(
            pick(
                SelectionMode::Selected,
                &pids(&[1, 2, 3]),
                every(&[1, 2, 3]),
                2,
                never
            ),
            Err(PickError::TooManyNamed { cap: 2 })
        );
        // Exactly the cap is fine.
        assert_eq!(
            pick(
                SelectionMode::AllResults,
                &[],
                every(&[1, 2]),
                2,
                descending
            ),
            Ok(vec![2, 1])
        );
    }

    #[test]
    fn a_selection_naming_nobody_is_refused() {
        let refused = pick(SelectionMode::Selected, &[], every(&[1]), 10, never).unwrap_err();
        assert_eq!(refused, PickError::NoneNamed);
        assert_eq!(refused.field(), "body.prospect_ids");
        // A search with no results bought in full is an empty list, refused by the
        // caller as naming nobody.
        assert_eq!(
            pick(SelectionMode::AllResults, &[], every(&[]), 10, descending),
            Ok(vec![])
        );
    }
}
