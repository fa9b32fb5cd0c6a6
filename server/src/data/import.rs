//! `quarry import`: loads `companies.csv` and `people.csv` into the store.
//!
//! Every row is validated and normalised (see `csv_format`); every bad row is reported
//! as `file:line: column: reason`. The whole import runs in one transaction: with any
//! bad row it is rolled back and nothing is written, unless `--skip-invalid` asks to
//! keep the good rows. Rows are upserted by id, so re-importing updates, never
//! duplicates. Files are streamed, so memory holds ids, not rows.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::csv_format::{self, Column, FieldError, Header};
use crate::progress;
use crate::records::{Company, Person};
use crate::store::{Store, StoreError, Writer};

/// Rows buffered before each write to the store.
const WRITE_BATCH: usize = 5_000;

/// What to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub companies: Option<PathBuf>,
    pub people: Option<PathBuf>,
    /// Import the good rows and report the bad ones instead of importing nothing.
    pub skip_invalid: bool,
    /// Draw a progress bar (only sensible on a terminal).
    pub progress: bool,
}

/// One rejected row (or header) of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(
                f,
                "{}:{}: {}: {}",
                self.file, self.line, column, self.reason
            ),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.reason),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Company rows written (inserted or updated).
    pub companies: u64,
    /// Person rows written (inserted or updated).
    pub people: u64,
    /// Every rejected row, in file order.
    pub errors: Vec<RowError>,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Neither file was given.
    #[error("nothing to import: pass --companies and/or --people")]
    NothingToImport,
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// Some rows were invalid and `skip_invalid` was off: nothing was imported.
    #[error("{} invalid row(s); nothing was imported", .0.errors.len())]
    Rejected(ImportReport),
    /// The store failed; the transaction was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Imports the given files in one transaction.
pub async fn import(store: &Store, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    if options.companies.is_none() && options.people.is_none() {
        return Err(ImportError::NothingToImport);
    }
    let mut known_companies = store.company_ids().await?;
    let mut writer = store.writer().await?;
    let mut report = ImportReport::default();
    let mut headers_ok = true;
    if let Some(path) = &options.companies {
        headers_ok &= import_companies(
            path,
            options,
            &mut writer,
            &mut known_companies,
            &mut report,
        )
        .await?;
    }
    if let Some(path) = &options.people {
        headers_ok &=
            import_people(path, options, &mut writer, &known_companies, &mut report).await?;
    }
    // A file with a bad header has no importable rows at all, so even
    // `--skip-invalid` imports nothing.
    if !report.errors.is_empty() && (!options.skip_invalid || !headers_ok) {
        writer.rollback().await?;
        return Err(ImportError::Rejected(report));
    }
    writer.commit().await?;
    Ok(report)
}

async fn import_companies(
    path: &Path,
    options: &ImportOptions,
    writer: &mut Writer,
    known: &mut HashSet<String>,
    report: &mut ImportReport,
) -> Result<bool, ImportError> {
    let Some(mut rows) =
        CsvRows::open(path, csv_format::COMPANY_COLUMNS, options.progress, report)?
    else {
        return Ok(false);
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut batch: Vec<Company> = Vec::with_capacity(WRITE_BATCH);
    while let Some((line, fields)) = rows.next(report)? {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let company = match csv_format::parse_company(rows.header(), &fields) {
            Ok(c) => c,
            Err(errors) => {
                rows.reject(report, line, errors);
                continue;
            }
        };
        if let Some(first) = seen.get(&company.company_id) {
            let reason = format!(
                "duplicate company_id {:?} (first on line {first})",
                company.company_id
            );
            rows.reject(report, line, vec![field_error("company_id", reason)]);
            continue;
        }
        seen.insert(company.company_id.clone(), line);
        known.insert(company.company_id.clone());
        if options.skip_invalid || report.errors.is_empty() {
            batch.push(company);
            if batch.len() >= WRITE_BATCH {
                writer.upsert_companies(&batch).await?;
                report.companies += batch.len() as u64;
                batch.clear();
            }
        }
    }
    if options.skip_invalid || report.errors.is_empty() {
        writer.upsert_companies(&batch).await?;
        report.companies += batch.len() as u64;
    }
    rows.finish();
    Ok(true)
}

async fn import_people(
    path: &Path,
    options: &ImportOptions,
    writer: &mut Writer,
    known_companies: &HashSet<String>,
    report: &mut ImportReport,
) -> Result<bool, ImportError> {
    let Some(mut rows) = CsvRows::open(path, csv_format::PERSON_COLUMNS, options.progress, report)?
    else {
        return Ok(false);
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut batch: Vec<Person> = Vec::with_capacity(WRITE_BATCH);
    while let Some((line, fields)) = rows.next(report)? {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let person = match csv_format::parse_person(rows.header(), &fields) {
            Ok(p) => p,
            Err(errors) => {
                rows.reject(report, line, errors);
                continue;
            }
        };
        if let Some(first) = seen.get(&person.person_id) {
            let reason = format!(
                "duplicate person_id {:?} (first on line {first})",
                person.person_id
            );
            rows.reject(report, line, vec![field_error("person_id", reason)]);
            continue;
        }
        seen.insert(person.person_id.clone(), line);
        if !known_companies.contains(&person.company_id) {
            let reason = format!(
                "unknown company_id {:?} (not in the companies file nor already imported)",
                person.company_id
            );
            rows.reject(report, line, vec![field_error("company_id", reason)]);
            continue;
        }
        if options.skip_invalid || report.errors.is_empty() {
            batch.push(person);
            if batch.len() >= WRITE_BATCH {
                writer.upsert_people(&batch).await?;
                report.people += batch.len() as u64;
                batch.clear();
            }
        }
    }
    if options.skip_invalid || report.errors.is_empty() {
        writer.upsert_people(&batch).await?;
        report.people += batch.len() as u64;
    }
    rows.finish();
    Ok(true)
}

fn field_error(column: &'static str, reason: String) -> FieldError {
    FieldError {
        column: Some(column),
        reason,
    }
}

/// The data rows of one CSV file after its header was checked: malformed rows (wrong
/// field count, invalid UTF-8) are reported and skipped; I/O errors end the import.
struct CsvRows {
    file: String,
    path: String,
    reader: csv::Reader<File>,
    header: Header,
    record: csv::ByteRecord,
    bar: indicatif::ProgressBar,
    count: u64,
}

impl CsvRows {
    /// Opens `path` and checks its header. A bad header is reported (line 1) and the
    /// file yields no rows.
    fn open(
        path: &Path,
        columns: &'static [Column],
        show_progress: bool,
        report: &mut ImportReport,
    ) -> Result<Option<CsvRows>, ImportError> {
        let display = path.display().to_string();
        let io = |source| ImportError::Io {
            path: display.clone(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| display.clone());
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let names: Vec<String> = reader
            .byte_headers()
            .map_err(|e| csv_error(&display, e))?
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let header = match Header::parse(columns, &names) {
            Ok(header) => header,
            Err(errors) => {
                for e in errors {
                    report.errors.push(RowError {
                        file: file_name.clone(),
                        line: 1,
                        column: e.column.map(str::to_owned),
                        reason: e.reason,
                    });
                }
                return Ok(None);
            }
        };
        Ok(Some(CsvRows {
            bar: progress::bytes_bar(show_progress, len, &file_name),
            file: file_name,
            path: display,
            reader,
            header,
            record: csv::ByteRecord::new(),
            count: 0,
        }))
    }

    fn header(&self) -> &Header {
        &self.header
    }

    /// The next well-formed row as `(line, fields)`; malformed rows are reported and
    /// skipped.
    fn next(
        &mut self,
        report: &mut ImportReport,
    ) -> Result<Option<(u64, Vec<String>)>, ImportError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => return Err(csv_error(&self.path, e)),
            }
            self.count += 1;
            if self.count % 4096 == 0 {
                self.bar
                    .set_position(self.record.position().map_or(0, |p| p.byte()));
            }
            let line = self.record.position().map_or(0, |p| p.line());
            if self.record.len() != self.header.width {
                let reason = format!(
                    "expected {} fields, found {}",
                    self.header.width,
                    self.record.len()
                );
                self.push(report, line, None, reason);
                continue;
            }
            let mut fields = Vec::with_capacity(self.record.len());
            let mut bad_utf8 = None;
            for (i, raw) in self.record.iter().enumerate() {
                match std::str::from_utf8(raw) {
                    Ok(s) => fields.push(s.to_owned()),
                    Err(_) => {
                        bad_utf8 = Some(i);
                        break;
                    }
                }
            }
            if let Some(i) = bad_utf8 {
                let column = self.header.name_at(i).map(str::to_owned);
                self.push(report, line, column, "is not valid UTF-8".to_owned());
                continue;
            }
            return Ok(Some((line, fields)));
        }
    }

    fn push(&self, report: &mut ImportReport, line: u64, column: Option<String>, reason: String) {
        report.errors.push(RowError {
            file: self.file.clone(),
            line,
            column,
            reason,
        });
    }

    fn reject(&self, report: &mut ImportReport, line: u64, errors: Vec<FieldError>) {
        for e in errors {
            self.push(report, line, e.column.map(str::to_owned), e.reason);
        }
    }

    fn finish(self) {
        self.bar.finish_and_clear();
    }
}

fn csv_error(path: &str, error: csv::Error) -> ImportError {
    let source = match error.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
    };
    ImportError::Io {
        path: path.to_owned(),
        source,
    }
}
