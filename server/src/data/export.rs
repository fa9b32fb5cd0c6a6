//! `quarry export-csv`: writes the whole data set as `companies.csv` and `people.csv`
//! in exactly the format `quarry import` reads, streaming rows so memory stays flat.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use futures::TryStreamExt;

use super::csv_format::{self, Column};
use crate::store::{Store, StoreError};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rows written per file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportReport {
    pub companies: u64,
    pub people: u64,
}

/// Writes `DIR/companies.csv` and `DIR/people.csv` (creating `DIR`).
pub async fn export(store: &Store, dir: &Path) -> Result<ExportReport, ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let companies_path = dir.join("companies.csv");
    let mut out = writer(&companies_path, csv_format::COMPANY_COLUMNS)?;
    let mut companies = 0;
    let mut stream = store.stream_companies();
    while let Some(c) = stream.try_next().await? {
        out.write_record(csv_format::company_row(&c))
            .map_err(csv_err(&companies_path))?;
        companies += 1;
    }
    out.flush()
        .map_err(|source| io_err(&companies_path, source))?;

    let people_path = dir.join("people.csv");
    let mut out = writer(&people_path, csv_format::PERSON_COLUMNS)?;
    let mut people = 0;
    let mut stream = store.stream_people();
    while let Some(p) = stream.try_next().await? {
        out.write_record(csv_format::person_row(&p))
            .map_err(csv_err(&people_path))?;
        people += 1;
    }
    out.flush().map_err(|source| io_err(&people_path, source))?;
    Ok(ExportReport { companies, people })
}

fn writer(path: &Path, columns: &[Column]) -> Result<csv::Writer<BufWriter<File>>, ExportError> {
    let file = File::create(path).map_err(|source| io_err(path, source))?;
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, file));
    out.write_record(columns.iter().map(|c| c.name))
        .map_err(csv_err(path))?;
    Ok(out)
}

fn io_err(path: &Path, source: std::io::Error) -> ExportError {
    ExportError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> ExportError + '_ {
    move |source| ExportError::Csv {
        path: path.display().to_string(),
        source,
    }
}
