//! Spreadsheet formula injection (PRODUCT.md §6): a cell that starts with `=`, `+`,
//! `-`, `@`, a tab or a carriage return is read as a formula by Excel, LibreOffice
//! and Google Sheets. Such cells get a leading apostrophe, which spreadsheets show
//! as text and do not evaluate. Applied to every cell of an export.

use std::borrow::Cow;

/// `value`, made inert if a spreadsheet would evaluate it.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for (input, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+12085550123", "'+12085550123"),
            ("-2+3", "'-2+3"),
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
            prop_assert!(!matches!(out.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')));
            prop_assert!(out.ends_with(s.as_str()));
        }
    }
}
