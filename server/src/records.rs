//! Companies and people as the data tools (import, export, demo generator) and the
//! store exchange them: already validated and normalised, one field per CSV column.

/// A company row (PRODUCT.md §3 "Data model").
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Company {
    pub company_id: String,
    pub name: String,
    /// Normalised: lowercase, no scheme, no `www.`, no path.
    pub domain: String,
    pub website: Option<String>,
    /// E.164 (`+17025550100`).
    pub phone: Option<String>,
    pub linkedin_url: Option<String>,
    /// Annual revenue in USD.
    pub revenue: Option<i64>,
    pub employee_count: Option<i64>,
    /// An industry key of TAXONOMY.md.
    pub industry: Option<String>,
    pub sic: Option<String>,
    pub naics: Option<String>,
    pub city: Option<String>,
    /// Two-letter state code.
    pub state: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// `;`-separated keywords.
    pub keywords: String,
}

/// A person row (PRODUCT.md §3 "Data model").
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub person_id: String,
    pub company_id: String,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    /// A seniority key of TAXONOMY.md.
    pub seniority: Option<String>,
    /// A department key of TAXONOMY.md.
    pub department: Option<String>,
    /// Lowercase.
    pub business_email: Option<String>,
    /// `verified`, `unverified`, `catch_all` or `invalid`.
    pub email_status: Option<String>,
    /// Unix seconds.
    pub email_verified_at: Option<i64>,
    /// E.164.
    pub mobile_phone: Option<String>,
    /// `https://www.linkedin.com/in/<slug>`.
    pub linkedin_url: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
}

impl Person {
    /// The person and their company as the API shows them.
    pub fn into_api(self, c: &Company) -> quarry_shared::api::Person {
        quarry_shared::api::Person {
            person_id: self.person_id,
            first_name: self.first_name,
            last_name: self.last_name,
            job_title: self.job_title,
            seniority: self.seniority,
            department: self.department,
            business_email: self.business_email,
            email_status: self.email_status,
            email_verified_at: self
                .email_verified_at
                .map(crate::data::csv_format::format_timestamp),
            mobile_phone: self.mobile_phone,
            linkedin_url: self.linkedin_url,
            city: self.city,
            state: self.state,
            company: quarry_shared::api::PersonCompany {
                company_id: c.company_id.clone(),
                name: c.name.clone(),
                domain: c.domain.clone(),
                website: c.website.clone(),
                phone: c.phone.clone(),
                linkedin_url: c.linkedin_url.clone(),
                employee_count: c.employee_count,
                revenue: c.revenue,
                industry: c.industry.clone(),
                sic: c.sic.clone(),
                naics: c.naics.clone(),
                city: c.city.clone(),
                state: c.state.clone(),
                country: Some(c.country.clone()),
            },
        }
    }
}
