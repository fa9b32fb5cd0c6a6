//! Index snapshots: a replica that built its index writes it to a file named for
//! the data version, and a replica starting (or one told of new data) loads that
//! file instead of building, when the store's data version still matches. At 10M
//! people, building takes tens of seconds and loading a few.
//!
//! The directory is `QUARRY_INDEX_SNAPSHOT_DIR`: beside the SQLite file by
//! default, and for PostgreSQL a directory the replicas share (or each keeps its
//! own, for its restarts). A snapshot of another format, another build of
//! Quarry, another database or another data version is ignored and replaced.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::index::PeopleIndex;

/// Bumped whenever [`PeopleIndex`] changes shape.
const FORMAT: u32 = 2;
const MAGIC: &[u8; 8] = b"QRYINDEX";

/// What a snapshot says it holds, checked before the rest is read.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Header {
    format: u32,
    /// The program that wrote it: a snapshot bakes in the taxonomy's order and
    /// how titles are read, so another build of Quarry builds its own.
    build: String,
    /// The database it was built from (a data version counts up again in a new
    /// or recreated database).
    database: String,
    version: i64,
    people: u64,
}

fn header(index: &PeopleIndex, database: &str) -> Header {
    Header {
        format: FORMAT,
        build: build_id().to_owned(),
        database: database.to_owned(),
        version: index.version,
        people: index.all.len(),
    }
}

/// A digest of this program's executable, read once; a random value when it
/// cannot be read (then no other process uses this one's snapshots).
fn build_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        use sha2::Digest;
        let digest = std::env::current_exe()
            .and_then(std::fs::read)
            .map(|bytes| hex::encode(&sha2::Sha256::digest(&bytes)[..16]));
        digest.unwrap_or_else(|_| format!("unreadable-{:x}", rand::random::<u64>()))
    })
}

/// Why a snapshot was not written or not used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("the snapshot is not readable: {0}")]
    Format(#[from] postcard::Error),
    #[error("the snapshot is of another format, build of Quarry or database")]
    Stale,
}

/// The file of data version `version` in `dir`.
pub fn path(dir: &Path, version: i64) -> PathBuf {
    dir.join(format!("people-{version}.snapshot"))
}

/// Writes `index` to its file in `dir` (atomically: others see the old file or
/// the whole new one), and removes the snapshots of older data versions.
pub fn write(dir: &Path, index: &PeopleIndex, database: &str) -> Result<PathBuf, SnapshotError> {
    std::fs::create_dir_all(dir)?;
    let target = path(dir, index.version);
    let partial = dir.join(format!(
        ".people-{}.{}.{:x}.partial",
        index.version,
        std::process::id(),
        rand::random::<u64>()
    ));
    let written = (|| -> Result<(), SnapshotError> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&partial)?);
        out.write_all(MAGIC)?;
        let out = postcard::to_io(&header(index, database), out)?;
        let mut out = postcard::to_io(index, out)?;
        out.flush()?;
        out.get_ref().sync_all()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &target)?;
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Only older versions: a newer one another replica wrote stays.
        let older = name
            .strip_prefix("people-")
            .and_then(|n| n.strip_suffix(".snapshot"))
            .and_then(|n| n.parse::<i64>().ok())
            .is_some_and(|v| v < index.version);
        if older {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(target)
}

/// The snapshot of data version `version` of `database` in `dir`; `None` when
/// there is none.
pub fn load(
    dir: &Path,
    version: i64,
    database: &str,
) -> Result<Option<PeopleIndex>, SnapshotError> {
    let mut file = match File::open(path(dir, version)) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return Err(SnapshotError::Stale);
    };
    let (found, rest): (Header, &[u8]) = postcard::take_from_bytes(rest)?;
    if found.format != FORMAT
        || found.build != build_id()
        || found.database != database
        || found.version != version
    {
        return Err(SnapshotError::Stale);
    }
    let index: PeopleIndex = postcard::from_bytes(rest)?;
    if index.version != version || index.all.len() != found.people {
        return Err(SnapshotError::Stale);
    }
    Ok(Some(index))
}
