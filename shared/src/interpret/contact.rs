//! Phrases that name contact-data filters the search already has: "verified emails"
//! (`email_status = verified`) and "with a phone" / "with mobile numbers"
//! (`has_phone = true`), and company domains or URLs written into the text
//! ("people at acme.com", "https://www.acme.com/about").

use super::lexicon::Meaning;

/// Phrases that ask for verified email addresses.
pub(crate) static VERIFIED: &[&str] = &[
    "verified email",
    "verified emails",
    "verified e mail",
    "verified e mails",
    "verified email address",
    "verified email addresses",
    "verified work email",
    "verified work emails",
    "verified business email",
    "verified business emails",
    "email verified",
    "emails verified",
];

/// Nouns for a phone number.
static PHONE_NOUNS: &[&str] = &[
    "phone",
    "phones",
    "phone number",
    "phone numbers",
    "mobile",
    "mobiles",
    "mobile phone",
    "mobile phones",
    "mobile number",
    "mobile numbers",
    "cell",
    "cell phone",
    "cell phones",
    "cell number",
    "cell numbers",
    "cellphone",
    "cellphones",
    "direct dial",
    "direct dials",
];

/// Words before a phone noun that make it a filter ("with a phone").
/// ("and" is not one: "web and mobile developers" is about the developers.)
static PHONE_LEADS: &[&str] = &[
    "with",
    "with a",
    "having",
    "having a",
    "that have",
    "who have",
];

/// Phone nouns plain enough to be the filter on their own ("CEOs phone numbers").
static PHONE_ALONE: &[&str] = &[
    "phone number",
    "phone numbers",
    "mobile number",
    "mobile numbers",
    "mobile phone",
    "mobile phones",
    "cell phone",
    "cell phones",
    "direct dial",
    "direct dials",
];

/// Every contact phrase and its meaning, for the lexicon.
pub(crate) fn phrases() -> impl Iterator<Item = (String, Meaning)> {
    let verified = VERIFIED.iter().flat_map(|p| {
        [
            String::new(),
            "with ".into(),
            "with a ".into(),
            "only ".into(),
        ]
        .into_iter()
        .map(move |lead| (format!("{lead}{p}"), Meaning::VerifiedEmail))
    });
    let phone = PHONE_LEADS.iter().flat_map(|lead| {
        PHONE_NOUNS
            .iter()
            .map(move |noun| (format!("{lead} {noun}"), Meaning::HasPhone))
    });
    let alone = PHONE_ALONE
        .iter()
        .map(|p| ((*p).to_owned(), Meaning::HasPhone));
    verified.chain(phone).chain(alone)
}

/// Top-level domains a written domain may end in: common generic and country ones.
/// Keeps "Node.js" or "e.g." from reading as domains.
static GENERIC_TLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "io",
    "co",
    "ai",
    "app",
    "dev",
    "biz",
    "info",
    "us",
    "tech",
    "inc",
    "agency",
    "law",
    "legal",
    "health",
    "cloud",
    "software",
    "solutions",
    "services",
    "consulting",
    "group",
    "global",
    "digital",
    "media",
    "studio",
    "design",
    "finance",
    "capital",
    "partners",
    "realty",
    "marketing",
    "energy",
    "edu",
    "gov",
    "uk",
    "ca",
    "de",
    "fr",
    "me",
    "tv",
    "ly",
    "gg",
    "to",
    "sh",
    "so",
    "in",
    "au",
    "nz",
    "ie",
    "nl",
    "es",
    "it",
    "se",
    "no",
    "dk",
    "fi",
    "ch",
    "at",
    "be",
    "jp",
    "br",
    "mx",
    "il",
    "sg",
    "hk",
    "za",
    "eu",
];

/// The normalised domain a whitespace-separated chunk of the query names, if any:
/// lowercase, no scheme, no `www.`, no path, port or trailing punctuation.
pub(crate) fn domain_in(chunk: &str) -> Option<String> {
    let chunk = chunk.trim_matches(|c: char| {
        matches!(
            c,
            '(' | ')' | '"' | '\'' | ',' | ';' | '!' | '?' | '<' | '>'
        )
    });
    let lower = chunk.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || host.len() > 253 {
        return None;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !labels.iter().all(|l| label_ok(l)) {
        return None;
    }
    let tld = labels[labels.len() - 1];
    let tld_ok = GENERIC_TLDS.contains(&tld);
    // A name before the suffix that is more than a lone letter ("e.g").
    let name_ok = labels[labels.len() - 2].len() >= 2;
    (tld_ok && name_ok).then(|| host.to_owned())
}

/// The query with every domain chunk blanked out (so its words are not read again),
/// and the domains found, in order and without repeats.
pub(crate) fn take_domains(q: &str) -> (String, Vec<String>) {
    let mut domains: Vec<String> = Vec::new();
    let mut rest = String::with_capacity(q.len());
    for (i, chunk) in q.split(' ').enumerate() {
        if i > 0 {
            rest.push(' ');
        }
        match chunk.contains('.').then(|| domain_in(chunk)).flatten() {
            Some(d) => {
                if !domains.contains(&d) {
                    domains.push(d);
                }
                // A trailing comma still separates list items.
                if chunk.ends_with(',') {
                    rest.push(',');
                }
            }
            None => rest.push_str(chunk),
        }
    }
    (rest, domains)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_read_and_normalised() {
        for (chunk, want) in [
            ("acme.com", Some("acme.com")),
            ("ACME.com.", Some("acme.com")),
            ("https://www.Acme.io/about?x=1", Some("acme.io")),
            ("http://shop.acme.co.uk:8080/", Some("shop.acme.co.uk")),
            ("(globex.net)", Some("globex.net")),
            ("node.js", None),
            ("e.g.", None),
            ("a.m.", None),
            ("st.louis", None),
            ("1.5", None),
            ("-bad-.com", None),
        ] {
            assert_eq!(domain_in(chunk).as_deref(), want, "{chunk}");
        }
        let (rest, found) = take_domains("people at acme.com, globex.net and acme.com");
        assert_eq!(found, ["acme.com", "globex.net"]);
        assert_eq!(rest, "people at ,  and ");
    }
}
