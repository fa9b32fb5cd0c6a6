//! Operator data tools: the CSV format, `import`, `export-csv`, and the normalisation
//! of domains, emails, phones and URLs they (and lookups) share.

pub mod csv_format;
pub mod export;
pub mod import;
pub mod normalize;
