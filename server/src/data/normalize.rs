//! Normalisation and validation of the identifiers the data set is searched and
//! looked up by: domains, emails, phones, LinkedIn URLs, websites and states. Every
//! function returns the canonical form or a short reason fit for an import report, and
//! the same functions serve `GET /v1/persons/lookup`, so stored and queried forms match.

/// A normalisation failure: a short, human reason ("not a valid domain").
pub type Reason = &'static str;

/// Lowercase, no scheme, no `www.`, no port, no path: `https://WWW.Acme.com/about` →
/// `acme.com`.
pub fn domain(input: &str) -> Result<String, Reason> {
    let mut s = input.trim().to_ascii_lowercase();
    for scheme in ["https://", "http://", "//"] {
        if let Some(rest) = s.strip_prefix(scheme) {
            s = rest.to_owned();
            break;
        }
    }
    let end = s.find(['/', '?', '#']).unwrap_or(s.len());
    s.truncate(end);
    if let Some(at) = s.rfind('@') {
        s = s[at + 1..].to_owned();
    }
    if let Some(colon) = s.find(':') {
        let port = &s[colon + 1..];
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err("not a valid domain");
        }
        s.truncate(colon);
    }
    let s = s.strip_suffix('.').unwrap_or(&s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    if is_valid_host(s) {
        Ok(s.to_owned())
    } else {
        Err("not a valid domain")
    }
}

/// A lowercase DNS name with at least two labels and an alphabetic (or IDN) TLD.
fn is_valid_host(host: &str) -> bool {
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    let tld = labels[labels.len() - 1];
    let tld_ok =
        tld.len() >= 2 && (tld.bytes().all(|b| b.is_ascii_lowercase()) || tld.starts_with("xn--"));
    labels_ok && tld_ok
}

/// `Jane.Doe@Acme.COM ` → `jane.doe@acme.com`.
pub fn email(input: &str) -> Result<String, Reason> {
    const REASON: Reason = "not a valid email address";
    let s = input.trim().to_ascii_lowercase();
    let (local, host) = s.split_once('@').ok_or(REASON)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    if local_ok && is_valid_host(host) {
        Ok(s)
    } else {
        Err(REASON)
    }
}

/// E.164: `(702) 555-0143` → `+17025550143`; `+44 20 7946 0958` → `+442079460958`.
/// Ten-digit numbers are taken as North American and must have a valid area code and
/// exchange.
pub fn phone(input: &str) -> Result<String, Reason> {
    const REASON: Reason = "not a valid phone number";
    let s = input.trim();
    let international = s.starts_with('+');
    let body = if international { &s[1..] } else { s };
    if !body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')'))
    {
        return Err(REASON);
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let nanp = match (international, digits.len()) {
        (false, 10) => Some(digits.clone()),
        (_, 11) if digits.starts_with('1') => Some(digits[1..].to_owned()),
        (true, 8..=15) => None,
        _ => return Err(REASON),
    };
    match nanp {
        Some(ten) => {
            let b = ten.as_bytes();
            if (b'2'..=b'9').contains(&b[0]) && (b'2'..=b'9').contains(&b[3]) {
                Ok(format!("+1{ten}"))
            } else {
                Err(REASON)
            }
        }
        None if digits.starts_with('0') => Err(REASON),
        None => Ok(format!("+{digits}")),
    }
}

/// Which kind of LinkedIn page a URL must point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedinKind {
    /// `/in/<slug>`: a person's profile.
    Person,
    /// `/company/<slug>`: a company page.
    Company,
}

/// `http://uk.linkedin.com/in/Jane-Doe/?trk=x` → `https://www.linkedin.com/in/jane-doe`.
pub fn linkedin_url(input: &str, kind: LinkedinKind) -> Result<String, Reason> {
    const REASON: Reason = "not a valid LinkedIn URL";
    let s = input.trim().to_ascii_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let (host, path) = s.split_once('/').ok_or(REASON)?;
    if host != "linkedin.com" && !host.ends_with(".linkedin.com") {
        return Err(REASON);
    }
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let mut parts = path.split('/').filter(|p| !p.is_empty());
    let section = match kind {
        LinkedinKind::Person => "in",
        LinkedinKind::Company => "company",
    };
    if parts.next() != Some(section) {
        return Err(REASON);
    }
    let slug = parts.next().ok_or(REASON)?;
    let slug_ok = slug.len() <= 100
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'%'));
    if !slug_ok || parts.next().is_some() {
        return Err(REASON);
    }
    Ok(format!("https://www.linkedin.com/{section}/{slug}"))
}

/// A company website as `https://<domain>`; the scheme is optional in the input.
pub fn website(input: &str) -> Result<String, Reason> {
    domain(input)
        .map(|d| format!("https://{d}"))
        .map_err(|_| "not a valid website URL")
}

/// A US state code or name → its two-letter code.
pub fn state(input: &str) -> Result<String, Reason> {
    quarry_shared::geo::state(input)
        .map(|s| s.code.to_owned())
        .ok_or("not a US state code or name")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn domains() {
        for (input, want) in [
            ("acme.com", "acme.com"),
            ("https://WWW.Acme.com/about?x=1", "acme.com"),
            ("http://shop.acme.co.uk:8080/", "shop.acme.co.uk"),
            ("//acme.io#top", "acme.io"),
            ("acme.com.", "acme.com"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("  acme-labs.dev ", "acme-labs.dev"),
        ] {
            assert_eq!(domain(input).as_deref(), Ok(want), "{input}");
        }
        for bad in [
            "",
            "acme",
            "acme.c",
            "-acme.com",
            "acme-.com",
            "ac me.com",
            "acme..com",
            "acme.123",
            "http://",
            "acme.com:port",
            "ünicode.com",
        ] {
            assert!(domain(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            email(" Jane.Doe@Acme.COM ").as_deref(),
            Ok("jane.doe@acme.com")
        );
        assert_eq!(
            email("j+tag@mail.acme.io").as_deref(),
            Ok("j+tag@mail.acme.io")
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@acme.com",
            "ja..ne@acme.com",
            ".j@acme.com",
            "j@acme",
            "j k@acme.com",
            "j@@acme.com",
        ] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn phones() {
        for (input, want) in [
            ("(702) 555-0143", "+17025550143"),
            ("702.555.0143", "+17025550143"),
            ("1-702-555-0143", "+17025550143"),
            ("+1 702 555 0143", "+17025550143"),
            ("+44 20 7946 0958", "+442079460958"),
        ] {
            assert_eq!(phone(input).as_deref(), Ok(want), "{input}");
        }
        for bad in [
            "",
            "555-0143",
            "(102) 555-0143",
            "702-155-0143",
            "+0 123456789",
            "702555014x",
            "+1234567",
        ] {
            assert!(phone(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn linkedin_urls() {
        assert_eq!(
            linkedin_url(
                "http://uk.linkedin.com/in/Jane-Doe/?trk=x",
                LinkedinKind::Person
            )
            .as_deref(),
            Ok("https://www.linkedin.com/in/jane-doe")
        );
        assert_eq!(
            linkedin_url("linkedin.com/company/acme", LinkedinKind::Company).as_deref(),
            Ok("https://www.linkedin.com/company/acme")
        );
        for bad in [
            "https://www.linkedin.com/company/acme",
            "https://evil.com/in/jane",
            "https://www.linkedin.com/in/",
            "https://www.linkedin.com/in/jane/details",
            "https://notlinkedin.com/in/jane",
        ] {
            assert!(
                linkedin_url(bad, LinkedinKind::Person).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn states_and_websites() {
        assert_eq!(state("nevada").as_deref(), Ok("NV"));
        assert!(state("Atlantis").is_err());
        assert_eq!(
            website("www.acme.com/home").as_deref(),
            Ok("https://acme.com")
        );
    }

    proptest! {
        #[test]
        fn normalisers_never_panic_and_are_idempotent(s in "\\PC{0,80}") {
            if let Ok(d) = domain(&s) { prop_assert_eq!(domain(&d), Ok(d.clone())); }
            if let Ok(e) = email(&s) { prop_assert_eq!(email(&e), Ok(e.clone())); }
            if let Ok(p) = phone(&s) { prop_assert_eq!(phone(&p), Ok(p.clone())); }
            if let Ok(l) = linkedin_url(&s, LinkedinKind::Person) {
                prop_assert_eq!(linkedin_url(&l, LinkedinKind::Person), Ok(l.clone()));
            }
        }

        #[test]
        fn generated_domains_round_trip(label in "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", tld in "[a-z]{2,6}") {
            let d = format!("{label}.{tld}");
            prop_assert_eq!(domain(&format!("https://www.{d}/path")), Ok(d));
        }
    }
}
