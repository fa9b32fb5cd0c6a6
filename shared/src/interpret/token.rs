//! The tokeniser: one pass over the query that turns free text into lowercase words,
//! numbers, commas and dashes. Every later stage, and the phrase tables themselves, go
//! through it, so "CEO's", "CEOs'", "co-founder", "D.C." and "1,000+" are normalised in
//! exactly one place and a table phrase always matches the text it was written for.

use std::borrow::Cow;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// Letters and digits ("ceos", "b2b"), lowercased, possessive dropped.
    Word,
    /// A number ("1,000" → 1000, "1k" → 1000); `plus` for "50+".
    Number { value: u64, plus: bool },
    /// A comma: it separates list items and binds "Portland, OR".
    Comma,
    /// A standalone or between-numbers dash: "10-200" is a range.
    Dash,
    /// Symbols that mean nothing here (emoji, "§"), reported as ignored.
    Noise,
}

/// One token and the original text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: TokKind,
    /// Normalised text: lowercase word, digits of a number, empty for punctuation.
    pub text: Cow<'a, str>,
    /// The original slice, for case-sensitive checks (state codes) and messages.
    pub orig: &'a str,
    /// Written with dots between single letters ("D.C.", "L.A.").
    pub dotted: bool,
}

/// Punctuation that separates words and means nothing by itself.
fn is_separator(c: char) -> bool {
    (c.is_ascii_punctuation() && !matches!(c, ',' | '-' | '&' | '/'))
        || matches!(
            c,
            '‘' | '’'
                | 'ʼ'
                | '“'
                | '”'
                | '„'
                | '«'
                | '»'
                | '‹'
                | '›'
                | '…'
                | '•'
                | '·'
                | '¡'
                | '¿'
                | '′'
                | '″'
                | '、'
                | '。'
                | '，'
                | '？'
                | '！'
                | '\u{a0}'
        )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`')
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‐' | '‑' | '−')
}

/// Lowercase and strip the common Latin accents ("Cañon" → "canon").
fn push_folded(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        let f = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        };
        out.push(f);
    }
}

struct Lexer<'a> {
    src: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    out: Vec<Token<'a>>,
    /// Reused buffer for normalised words.
    scratch: String,
}

impl<'a> Lexer<'a> {
    fn peek(&self, ahead: usize) -> Option<char> {
        let b = *self.src.as_bytes().get(self.pos)?;
        if ahead == 0 && b.is_ascii() {
            return Some(char::from(b));
        }
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().nth(ahead))
    }

    /// Moves past the next character.
    fn bump(&mut self) {
        if let Some(c) = self.peek(0) {
            self.pos += c.len_utf8();
        }
    }

    fn push(&mut self, kind: TokKind, text: Cow<'a, str>, from: usize, dotted: bool) {
        let orig = &self.src[from..self.pos];
        self.out.push(Token {
            kind,
            text,
            orig,
            dotted,
        });
    }

    fn run(mut self) -> Vec<Token<'a>> {
        while let Some(c) = self.peek(0) {
            let start = self.pos;
            if c == ' ' {
                self.pos += 1;
            } else if c.is_whitespace() || c.is_control() {
                self.bump();
            } else if c.is_ascii_digit() {
                self.number();
            } else if c.is_alphanumeric() {
                self.word(start);
            } else if c == ',' {
                self.bump();
                self.push(TokKind::Comma, Cow::Borrowed(""), start, false);
            } else if is_dash(c) {
                // "co-founder", "mid-market": a hyphen inside words just separates them;
                // after a number ("10-200", "1k-5k") or standing alone it is a dash.
                let glued = self.src[..start]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
                let after_word = self.out.last().is_some_and(|t| t.kind == TokKind::Word);
                self.bump();
                if !(glued && after_word) {
                    self.push(TokKind::Dash, Cow::Borrowed(""), start, false);
                }
            } else if c == '&' {
                self.bump();
                self.push(TokKind::Word, Cow::Borrowed("and"), start, false);
            } else if c == '/' {
                self.bump();
                self.push(TokKind::Word, Cow::Borrowed("or"), start, false);
            } else if is_separator(c) || is_apostrophe(c) {
                self.bump();
            } else {
                self.noise(start);
            }
        }
        self.out
    }

    /// A run of symbols (an emoji with its joiners and selectors stays one token).
    fn noise(&mut self, start: usize) {
        while let Some(c) = self.peek(0) {
            if c.is_alphanumeric()
                || c.is_whitespace()
                || c.is_control()
                || c == ','
                || c == '&'
                || c == '/'
                || is_dash(c)
                || is_separator(c)
                || is_apostrophe(c)
            {
                break;
            }
            self.bump();
        }
        let text = Cow::Borrowed(&self.src[start..self.pos]);
        self.push(TokKind::Noise, text, start, false);
    }

    /// Letters and digits, with possessives dropped ("CEO's", "CEOs'"), inner
    /// apostrophes joined ("O'Fallon") and dotted initials joined ("D.C.").
    fn word(&mut self, start: usize) {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let mut segment = 0usize;
        let mut dotted = false;
        while let Some(c) = self.peek(0) {
            if c.is_ascii_alphanumeric() {
                // Fast path: a run of ASCII letters and digits.
                let run = self.src[self.pos..]
                    .bytes()
                    .take_while(u8::is_ascii_alphanumeric)
                    .count();
                for b in self.src[self.pos..self.pos + run].bytes() {
                    text.push(char::from(b.to_ascii_lowercase()));
                }
                segment += run;
                self.pos += run;
            } else if c.is_alphanumeric() {
                push_folded(&mut text, c);
                segment += 1;
                self.bump();
            } else if is_apostrophe(c) {
                let next = self.peek(1);
                let after = self.peek(2);
                let possessive =
                    matches!(next, Some('s' | 'S')) && !after.is_some_and(|a| a.is_alphanumeric());
                self.bump();
                if possessive {
                    self.bump();
                    if text == "it" {
                        text.push('s');
                    }
                    break;
                }
                if !next.is_some_and(|n| n.is_alphanumeric()) {
                    break;
                }
            } else if c == '.'
                && segment == 1
                && (dotted || self.peek(1).is_some_and(char::is_alphabetic))
            {
                // "d.c." / "l.a.": single letters joined by dots.
                self.bump();
                dotted = true;
                segment = 0;
                if !self.peek(0).is_some_and(char::is_alphanumeric) {
                    break;
                }
            } else {
                break;
            }
        }
        // Most words are already normalised: borrow them instead of allocating.
        let orig = &self.src[start..self.pos];
        let cow = if orig == text {
            Cow::Borrowed(orig)
        } else {
            Cow::Owned(text.clone())
        };
        self.scratch = text;
        self.push(TokKind::Word, cow, start, dotted);
    }

    /// "50", "1,000", "10,000+", "1k+", "2.5k"; "3pl" or "24x7" become words.
    fn number(&mut self) {
        let start = self.pos;
        let mut int: u64 = 0;
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        while let Some(c) = self.peek(0).filter(char::is_ascii_digit) {
            int = int
                .saturating_mul(10)
                .saturating_add(u64::from(c as u8 - b'0'));
            self.bump();
            // Thousands separators: ",ddd" not followed by another digit.
            if self.peek(0) == Some(',')
                && digit(self.peek(1))
                && digit(self.peek(2))
                && digit(self.peek(3))
                && !digit(self.peek(4))
            {
                self.bump();
            }
        }
        let (mut frac, mut frac_div) = (0u64, 1u64);
        if self.peek(0) == Some('.') && digit(self.peek(1)) {
            self.bump();
            while let Some(c) = self.peek(0).filter(char::is_ascii_digit) {
                if frac_div < 1_000_000 {
                    frac = frac * 10 + u64::from(c as u8 - b'0');
                    frac_div *= 10;
                }
                self.bump();
            }
        }
        let mut value = int;
        let suffix = self.peek(0).map(|c| c.to_ascii_lowercase());
        let after = self.peek(1);
        if matches!(suffix, Some('k' | 'm')) && !after.is_some_and(|a| a.is_alphanumeric()) {
            let mult: u64 = if suffix == Some('k') {
                1_000
            } else {
                1_000_000
            };
            value = int
                .saturating_mul(mult)
                .saturating_add(frac * mult / frac_div);
            self.bump();
        } else if self.peek(0).is_some_and(char::is_alphanumeric) {
            // Digits glued to letters are a word ("3pl", "24x7").
            self.pos = start;
            return self.word(start);
        }
        let end_digits = self.pos;
        let plus = self.peek(0) == Some('+');
        if plus {
            self.bump();
        }
        let text = Cow::Borrowed(&self.src[start..end_digits]);
        self.push(TokKind::Number { value, plus }, text, start, false);
    }
}

/// Split `src` into tokens. Linear in the input; never panics.
pub(crate) fn tokenize(src: &str) -> Vec<Token<'_>> {
    Lexer {
        src,
        pos: 0,
        out: Vec::with_capacity(src.len() / 5 + 1),
        scratch: String::new(),
    }
    .run()
}

/// The normalised words of a phrase joined by single spaces: the key under which the
/// phrase tables store it ("Winston-Salem" → "winston salem", "St. Louis" → "st louis").
pub(crate) fn phrase_key(phrase: &str) -> String {
    let mut key = String::new();
    for t in tokenize(phrase) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&t.text);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s)
            .into_iter()
            .map(|t| t.text.into_owned())
            .collect()
    }

    #[test]
    fn words_are_lowercased_and_possessives_dropped() {
        assert_eq!(
            texts("CEO's  CEOs' Lee's Summit"),
            ["ceo", "ceos", "lee", "summit"]
        );
        assert_eq!(texts("O'Fallon it's"), ["ofallon", "its"]);
        assert_eq!(texts("Cañon Café"), ["canon", "cafe"]);
    }

    #[test]
    fn hyphens_ampersands_and_slashes() {
        assert_eq!(texts("co-founder"), ["co", "founder"]);
        assert_eq!(texts("Broker/Owner"), ["broker", "or", "owner"]);
        assert_eq!(texts("Dentist & Owner"), ["dentist", "and", "owner"]);
        let t = tokenize("10-200");
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].kind, TokKind::Dash);
    }

    #[test]
    fn dotted_initials_join() {
        let t = tokenize("Washington, D.C. St. Louis");
        assert_eq!(t[0].text, "washington");
        assert_eq!(t[1].kind, TokKind::Comma);
        assert_eq!(
            (t[2].text.as_ref(), t[2].dotted, t[2].orig),
            ("dc", true, "D.C.")
        );
        assert_eq!(t[3].text, "st");
        assert!(!t[3].dotted);
        assert_eq!(t[4].text, "louis");
    }

    #[test]
    fn numbers() {
        let n = |s: &str| match tokenize(s)[0].kind {
            TokKind::Number { value, plus } => (value, plus),
            other => panic!("{other:?}"),
        };
        assert_eq!(n("1,000"), (1000, false));
        assert_eq!(n("10,000+"), (10_000, true));
        assert_eq!(n("1k+"), (1000, true));
        assert_eq!(n("2.5k"), (2500, false));
        assert_eq!(n("50+"), (50, true));
        assert_eq!(n("99999999999999999999999"), (u64::MAX, false));
        assert_eq!(texts("3pl b2b"), ["3pl", "b2b"]);
        let t = tokenize("TX, OK");
        assert_eq!(t.len(), 3);
        let t = tokenize("1,00");
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn noise_is_kept_for_warnings() {
        let t = tokenize("CEOs 🚀🚀 now!!!");
        assert_eq!(t[1].kind, TokKind::Noise);
        assert_eq!(t[1].orig, "🚀🚀");
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn phrase_keys() {
        assert_eq!(phrase_key("Winston-Salem"), "winston salem");
        assert_eq!(phrase_key("Coeur d'Alene"), "coeur dalene");
        assert_eq!(phrase_key("  C-Level  "), "c level");
    }
}
