//! Spreadsheet formula injection (PRODUCT.md §6): a cell that starts with `=`, `+`,
//! `-`, `@`, a tab or a carriage return is read as a formula by Excel, LibreOffice
//! and Google Sheets. Such cells get a leading apostrophe, which spreadsheets show
//! as text and do not evaluate. Applied to every cell of an export, except cells
//! that are plainly a number or a phone (`+12085550123`, `-40`, `+1 (208) 555-0123`):
//! made of digits, spaces, parentheses and dashes, they cannot call anything, and
//! an apostrophe would only break the number a salesperson dials or sums.

use std::borrow::Cow;

/// `value`, made inert if a spreadsheet would evaluate it.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !plain_number(value) => {
            Cow::Owned(format!("'{value}"))
        }
        _ => Cow::Borrowed(value),
    }
}

/// `^[+-]?[0-9 ()-]+$` with at least one digit: a number or a phone.
fn plain_number(value: &str) -> bool {
    let rest = value.strip_prefix(['+', '-']).unwrap_or(value);
    !rest.is_empty()
        && rest.bytes().any(|b| b.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'(' | b')' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for (input, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+12085550123", "+12085550123"),
            ("+1 (208) 555-0123", "+1 (208) 555-0123"),
            ("-40", "-40"),
            ("-2+3", "'-2+3"),
            ("+", "'+"),
            ("-", "'-"),
            ("- ()", "'- ()"),
            ("+1 2 A", "'+1 2 A"),
            ("-1e5", "'-1e5"),
            ("+SUM(1)", "'+SUM(1)"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("Jane", "Jane"),
            ("", ""),
            (" =1", " =1"),
        ] {
            assert_eq!(neutralise(input), want, "{input:?}");
        }
    }

    proptest! {
        #[test]
        fn no_output_starts_a_formula(s in "\\PC{0,20}") {
            let out = neutralise(&s);
            // What is left starting like a formula is only a number or a phone.
            if matches!(out.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
                prop_assert!(out[1..].bytes().all(|b| b.is_ascii_digit() || b" ()-".contains(&b)), "{out:?}");
                prop_assert!(out.bytes().any(|b| b.is_ascii_digit()));
            }
            prop_assert!(out.ends_with(s.as_str()));
        }

        #[test]
        fn phones_and_numbers_pass_untouched(n in "[+-]?[0-9][0-9 ()-]{0,15}") {
            prop_assert_eq!(neutralise(&n), n.as_str());
        }
    }
}
