//! Masked previews (PRODUCT.md §4 "Previews never leak what is sold"): a person the
//! customer does not own shows the first name, the last name's initial, the title,
//! the company and only *whether* an email, phone or LinkedIn exists, with the email
//! masked to its first letter and domain. A person the customer owns is shown in
//! full. This is the only place that decides what a preview carries.

use quarry_shared::api::Person;
use quarry_shared::prospecting::{PreviewCompany, ProspectPreview, RevealState};

use super::prospect_id;

/// `Doe` → `D.`; empty stays empty.
pub fn mask_last_name(last_name: &str) -> String {
    match last_name.trim().chars().next() {
        Some(initial) => format!("{initial}."),
        None => String::new(),
    }
}

/// `jane@example.com` → `j•••@example.com`; anything without a usable `@` gives
/// no email at all rather than a partial one.
pub fn mask_email(email: &str) -> Option<String> {
    let (local, domain) = email.trim().split_once('@')?;
    let initial = local.chars().next()?;
    if domain.is_empty() || domain.contains('@') {
        return None;
    }
    Some(format!("{initial}•••@{domain}"))
}

/// The preview of `person` (index id `id`), in full when `owned`.
pub fn preview(id: u32, person: Person, owned: bool) -> ProspectPreview {
    let has_email = person
        .business_email
        .as_deref()
        .is_some_and(|e| !e.is_empty());
    let has_phone = person
        .mobile_phone
        .as_deref()
        .is_some_and(|p| !p.is_empty());
    let has_linkedin = person
        .linkedin_url
        .as_deref()
        .is_some_and(|l| !l.is_empty());
    let company = PreviewCompany {
        name: person.company.name,
        domain: person.company.domain,
        industry: person.company.industry,
        employee_count: person.company.employee_count,
        city: person.company.city,
        state: person.company.state,
    };
    // Whether the address checks out is shown before buying; the address is not.
    let (email_status, email_verified_at) = if has_email {
        (
            person.email_status.clone(),
            person.email_verified_at.clone(),
        )
    } else {
        (None, None)
    };
    if owned {
        return ProspectPreview {
            prospect_id: prospect_id::encode(id),
            first_name: person.first_name,
            last_name: person.last_name,
            job_title: person.job_title,
            seniority: person.seniority,
            department: person.department,
            company,
            has_email,
            has_phone,
            has_linkedin,
            email_status,
            email_verified_at,
            email: person.business_email,
            mobile_phone: person.mobile_phone,
            linkedin_url: person.linkedin_url,
            reveal_state: RevealState::Purchased,
            suppressed: false,
        };
    }
    ProspectPreview {
        prospect_id: prospect_id::encode(id),
        first_name: person.first_name,
        last_name: mask_last_name(&person.last_name),
        job_title: person.job_title,
        seniority: person.seniority,
        department: person.department,
        company,
        has_email,
        has_phone,
        has_linkedin,
        email_status,
        email_verified_at,
        email: person.business_email.as_deref().and_then(mask_email),
        mobile_phone: None,
        linkedin_url: None,
        reveal_state: RevealState::Preview,
        suppressed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use quarry_shared::api::PersonCompany;

    fn jane() -> Person {
        Person {
            person_id: "person_1".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            job_title: "VP Sales".into(),
            seniority: Some("vp".into()),
            department: Some("sales".into()),
            business_email: Some("jane.doe@example.com".into()),
            email_status: Some("verified".into()),
            email_verified_at: None,
            mobile_phone: Some("+12085550123".into()),
            linkedin_url: Some("https://www.linkedin.com/in/jane-doe".into()),
            city: Some("Boise".into()),
            state: Some("ID".into()),
            company: PersonCompany {
                company_id: "c1".into(),
                name: "Example Inc".into(),
                domain: "example.com".into(),
                phone: Some("+12085550100".into()),
                ..PersonCompany::default()
            },
        }
    }

    #[test]
    fn masking_table() {
        assert_eq!(mask_last_name("Doe"), "D.");
        assert_eq!(mask_last_name(" Ångström"), "Å.");
        assert_eq!(mask_last_name(""), "");
        assert_eq!(
            mask_email("jane@example.com").as_deref(),
            Some("j•••@example.com")
        );
        for bad in ["", "@example.com", "jane@", "jane", "a@b@c"] {
            assert_eq!(mask_email(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn previews_carry_nothing_that_is_sold() {
        let p = preview(7, jane(), false);
        let json = serde_json::to_string(&p).unwrap();
        for secret in [
            "Doe",
            "jane.doe@",
            "+12085550123",
            "linkedin.com/in",
            "person_1",
            "+12085550100",
        ] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        assert_eq!(p.reveal_state, RevealState::Preview);
        assert!(p.has_email && p.has_phone && p.has_linkedin);
        assert_eq!(p.email.as_deref(), Some("j•••@example.com"));
        assert_eq!(p.prospect_id, "pr_7");
    }

    #[test]
    fn owned_records_are_shown_in_full() {
        let p = preview(7, jane(), true);
        assert_eq!(p.reveal_state, RevealState::Purchased);
        assert_eq!(p.last_name, "Doe");
        assert_eq!(p.email.as_deref(), Some("jane.doe@example.com"));
        assert_eq!(p.mobile_phone.as_deref(), Some("+12085550123"));
    }

    proptest! {
        #[test]
        fn masked_emails_keep_only_the_initial_and_domain(local in "[a-z0-9._]{1,20}", domain in "[a-z0-9.-]{1,20}") {
            let masked = mask_email(&format!("{local}@{domain}")).unwrap();
            let rest = &local[local.chars().next().unwrap().len_utf8()..];
            let suffix = format!("@{domain}");
            prop_assert!(masked.ends_with(&suffix));
            if rest.len() >= 3 {
                prop_assert!(!masked.contains(rest));
            }
        }

        #[test]
        fn masking_never_panics(s in "\\PC{0,40}") {
            let _ = mask_email(&s);
            let _ = mask_last_name(&s);
        }
    }
}
