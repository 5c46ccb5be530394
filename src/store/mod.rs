//! The dossier: one SQLite file holding the dwellings with their source, the import
//! history, the label mappings and the settings. Every import is one transaction.

pub mod bailleurs;
mod cia;
mod correspondances;
pub mod cube;
mod historique;
mod imports;
mod logements;
mod parametres_du_flux;
pub mod plans;
mod registres;
pub mod schema;
pub mod verrou;

pub use cia::ReglageCia;
pub use correspondances::{AvantAssociation, RejetSauve};
pub use historique::{Entree, Evenement, Genre, ImportInfo, Retablissement};
pub use imports::{ImportWriter, LogementInsert, LogementSortant, LogementsAEcrire, MOTIFS_A_RELIRE, RejetARelire};
pub use logements::{
    ConflitOut, EchuOut, EffetDateReference, LibelleInconnu, LogementCompte, LogementDuDossier, LogementSource,
    RejetOut, Selection,
};
pub use plans::{EnteteDeFeuille, PlanDeFeuille};
pub use registres::{
    InsertionDeRegistre, MiseADispositionDuLogement, RegistreWriter, RejetDeRegistre, RejetRegistre, SourceRegistre,
};

use crate::model::Date;
use crate::reference::Territoire;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "le dossier {path} a été créé par une version plus récente de Contingents (schéma {found}, cette version lit jusqu'au schéma {supported}) : mettez Contingents à jour ; le dossier n'a pas été modifié"
    )]
    TooNew { path: String, found: i64, supported: i64 },
    /// The faces add what to do (command line: create it by an import; window: open another).
    #[error("le dossier {0} n'existe pas")]
    Missing(String),
    /// An empty file, a file that is no SQLite database, another program's database.
    #[error(
        "{path} n'est pas un dossier Contingents ({raison}) : choisissez un dossier créé par Contingents ; le fichier n'a pas été modifié"
    )]
    PasUnDossier { path: String, raison: String },
    /// The file fails SQLite's own check (`PRAGMA quick_check`) or reads as malformed.
    #[error("{} est endommagé : restaurez une copie (sauvegarde) ; il n'a pas été modifié", nom_du_dossier(.path))]
    Endommage { path: String },
    /// Another process writes the dossier (beyond the wait), or a window holds it.
    #[error("Le dossier est en cours de modification par un autre programme ; réessayez{}", tenu_par(.fenetre))]
    Occupe { path: String, fenetre: Option<verrou::Tenu> },
    #[error("import n° {0} introuvable dans le dossier")]
    UnknownImport(i64),
    #[error("le disque est plein : libérez de la place puis relancez ; le dossier n'a pas été modifié")]
    DiskFull,
    #[error(
        "le dossier est en lecture seule (droits du fichier ou du répertoire) : copiez-le dans un répertoire où vous pouvez écrire"
    )]
    ReadOnly,
    /// The disk itself failed (a read or a write refused by the system).
    #[error("le disque a refusé une lecture ou une écriture du dossier ({0}) : vérifiez le support, puis réessayez")]
    Disque(String),
    /// An error of the database engine itself: a defect of the program.
    #[error("erreur SQLite : {0}")]
    Sql(String),
    #[error("le dossier contient une donnée illisible : {0}")]
    Corrompu(String),
    /// A bailleur renamed to a name the dossier already gives another one (or to nothing).
    #[error("{0}")]
    NomRefuse(String),
    /// A register restored whose rows repeat mises à disposition typed since: they would count
    /// twice.
    #[error("{0}")]
    RetablissementRefuse(String),
}

fn nom_du_dossier(path: &str) -> String {
    if path.is_empty() { "le dossier".into() } else { format!("le dossier {path}") }
}

fn tenu_par(f: &Option<verrou::Tenu>) -> String {
    match f {
        Some(verrou::Tenu(Some(pid))) => {
            format!(" (une fenêtre Contingents l'a ouvert, processus {pid} : fermez-la ou attendez qu'elle le soit)")
        }
        Some(verrou::Tenu(None)) => " (une fenêtre Contingents l'a ouvert : fermez-la)".into(),
        None => String::new(),
    }
}

impl StoreError {
    /// Whether the error says something about the program rather than about the dossier, the
    /// disk or another program (the command line exits 2 for those only).
    pub fn est_un_defaut(&self) -> bool {
        matches!(self, StoreError::Sql(_))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match &e {
            rusqlite::Error::SqliteFailure(f, _) => match f.code {
                C::DiskFull => StoreError::DiskFull,
                C::ReadOnly => StoreError::ReadOnly,
                C::DatabaseBusy | C::DatabaseLocked => StoreError::Occupe { path: String::new(), fenetre: None },
                C::DatabaseCorrupt | C::NotADatabase => StoreError::Endommage { path: String::new() },
                C::SystemIoFailure | C::CannotOpen | C::PermissionDenied => StoreError::Disque(e.to_string()),
                _ => StoreError::Sql(e.to_string()),
            },
            _ => StoreError::Sql(e.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The application id of every dossier (`PRAGMA application_id`, bytes 68–71 of the file):
/// « CNTG ». A dossier written before it existed has 0 and gets it on its next opening.
pub const APPLICATION_ID: i32 = 0x434E_5447;

/// How long a command waits for another writer before saying the dossier is busy.
pub const ATTENTE: std::time::Duration = std::time::Duration::from_secs(5);

/// Every connection is used by one thread at a time (`Dossier` is `Send`, not `Sync`: each
/// thread opens its own), so SQLite's per-connection mutex, taken at each row and each column
/// read, is needless: `SQLITE_OPEN_NO_MUTEX` (multi-thread mode) drops it.
const SANS_VERROU: OpenFlags = OpenFlags::SQLITE_OPEN_NO_MUTEX;

pub struct Dossier {
    /// Private to the store: every reading and writing goes through the functions of this
    /// module, named by what they do.
    conn: Connection,
    pub path: PathBuf,
    /// Opened after a successful `PRAGMA quick_check` (or found unchanged since one): what this
    /// connection writes (SQLite's own transactions) leaves the file sound, so the next opening
    /// need not check it again (the window writes a mapping, then reloads; a command reads what
    /// the previous one wrote).
    sain: bool,
    /// How many dwellings the dossier holds, as last counted on this connection.
    compte: CompteDesLogements,
}

/// How many dwellings the dossier holds and, when SQLite keeps them (see [`schema::DECLENCHEURS`]),
/// how many times any was written: part of the cube's fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EtatDesLogements {
    pub logements: i64,
    pub modifications: Option<i64>,
}

/// How many dwellings the dossier holds. Read from `compte_des_logements`, which triggers keep
/// for whatever program writes the dwellings; without it (a dossier of an earlier version read
/// where it cannot be migrated, triggers dropped by another program) counted, an index walk of
/// the whole table, and that count kept on the connection with the state it was made in:
/// SQLite's `PRAGMA data_version`, which changes when any other connection — another process,
/// another program — commits a change to the file, and the rows this connection has written
/// since it was opened (`total_changes`, counted also inside a transaction not yet committed).
/// Opening a dossier checks the fingerprint more than once (before a write, before reading the
/// cells): the count is made once as long as neither moves. A count made inside a transaction
/// is not kept (a rollback would bring back rows without moving either).
#[derive(Debug, Default)]
pub struct CompteDesLogements {
    garde: std::cell::Cell<Option<(i64, u64, i64)>>,
    /// How many times the dwellings were counted (the tests).
    comptages: std::cell::Cell<u64>,
}

impl CompteDesLogements {
    pub(super) fn etat(&self, conn: &Connection) -> Result<EtatDesLogements> {
        if let Some((logements, modifications)) = compteur(conn)? {
            return Ok(EtatDesLogements { logements, modifications: Some(modifications) });
        }
        // The version first: a change committed between it and the count moves it again, and
        // the count kept is then not used.
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let ecrites = conn.total_changes();
        if let Some((v, e, n)) = self.garde.get()
            && v == version
            && e == ecrites
        {
            return Ok(EtatDesLogements { logements: n, modifications: None });
        }
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM logements", [], |r| r.get(0))?;
        self.comptages.set(self.comptages.get() + 1);
        self.garde.set(conn.is_autocommit().then_some((version, ecrites, n)));
        Ok(EtatDesLogements { logements: n, modifications: None })
    }
}

/// The count kept by SQLite, when its table and its triggers are those of this version.
fn compteur(conn: &Connection) -> Result<Option<(i64, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'logements'
         AND name IN ('logements_ajout', 'logements_retrait', 'logements_modification')",
    )?;
    let mut presents: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
    presents.sort();
    let mut attendus: Vec<&str> = schema::DECLENCHEURS
        .split_inclusive("END;")
        .map(|s| s.trim().trim_end_matches(';'))
        .filter(|s| !s.is_empty())
        .collect();
    attendus.sort();
    if presents != attendus {
        return Ok(None);
    }
    // Its table dropped by another program (the triggers then fail every write): counted.
    Ok(conn
        .query_row("SELECT logements, modifications FROM compte_des_logements", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok())
}

/// Puts the count of the dwellings and its triggers back in place, the dwellings counted
/// (inside the caller's transaction): a dossier whose triggers another program dropped, the end
/// of a bulk import that dropped them.
pub(super) fn remettre_le_compteur(conn: &Connection) -> Result<()> {
    conn.execute_batch(schema::SANS_DECLENCHEURS)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS compte_des_logements (logements INTEGER NOT NULL, modifications INTEGER NOT NULL)",
    )?;
    let modifications: i64 =
        conn.query_row("SELECT COALESCE(MAX(modifications), 0) FROM compte_des_logements", [], |r| r.get(0))?;
    conn.execute("DELETE FROM compte_des_logements", [])?;
    conn.execute(
        "INSERT INTO compte_des_logements(logements, modifications) SELECT COUNT(*), ?1 FROM logements",
        [modifications + 1],
    )?;
    conn.execute_batch(schema::DECLENCHEURS)?;
    Ok(())
}

impl Drop for Dossier {
    fn drop(&mut self) {
        if self.sain && self.conn.is_autocommit() {
            marquer_verifie(&self.path);
        }
    }
}

/// What a file is, from its first 100 bytes (the SQLite header) — nothing opened, nothing
/// written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// No such file.
    Absent,
    /// A file of 0 bytes.
    Vide,
    /// Not an SQLite database.
    PasSqlite,
    /// A Contingents dossier (its application id).
    Dossier,
    /// An SQLite database without application id: a dossier written before it existed (to
    /// confirm by its tables), or another program's database.
    SqliteSansIdentifiant,
    /// Another program's SQLite database (another application id).
    AutreBase,
}

/// The nature of a file from its SQLite header (cheap: reads 100 bytes).
pub fn nature(path: &Path) -> Nature {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else { return Nature::Absent };
    let mut h = [0u8; 100];
    let mut n = 0;
    while n < h.len() {
        match f.read(&mut h[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return Nature::PasSqlite,
        }
    }
    if n == 0 {
        return Nature::Vide;
    }
    if n < 100 || &h[..16] != b"SQLite format 3\0" {
        return Nature::PasSqlite;
    }
    match i32::from_be_bytes([h[68], h[69], h[70], h[71]]) {
        APPLICATION_ID => Nature::Dossier,
        0 => Nature::SqliteSansIdentifiant,
        _ => Nature::AutreBase,
    }
}

/// Whether a file is a Contingents dossier, by the application id of its SQLite header (the
/// window's file picker shows dossiers without extension with it). A dossier written before
/// the application id existed answers false until it is opened once.
/// Removes a dossier that a failed command has just created (and its SQLite side files), so
/// that nothing is left behind; anything that is not a dossier of ours is left alone.
pub fn supprimer_dossier_neuf(path: &Path) {
    if !est_un_dossier(path) {
        return;
    }
    let _ = std::fs::remove_file(path);
    for suffixe in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffixe);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

pub fn est_un_dossier(path: &Path) -> bool {
    nature(path) == Nature::Dossier
}

/// The schema version in a file's SQLite header (`PRAGMA user_version`, bytes 60–63).
fn version_du_fichier(path: &Path) -> Option<i64> {
    use std::io::Read;
    let mut h = [0u8; 64];
    std::fs::File::open(path).ok()?.read_exact(&mut h).ok()?;
    Some(i32::from_be_bytes([h[60], h[61], h[62], h[63]]) as i64)
}

fn pas_un_dossier(path: &Path, raison: &str) -> StoreError {
    StoreError::PasUnDossier { path: path.display().to_string(), raison: raison.into() }
}

/// Refuses, before SQLite opens it, a file that is not a dossier or is a newer one.
fn verifier_entete(path: &Path) -> Result<()> {
    match nature(path) {
        Nature::Absent => return Err(StoreError::Missing(path.display().to_string())),
        Nature::Vide => return Err(pas_un_dossier(path, "fichier vide")),
        Nature::PasSqlite => return Err(pas_un_dossier(path, "ce n'est pas une base de données SQLite")),
        Nature::AutreBase => return Err(pas_un_dossier(path, "base de données d'un autre programme")),
        Nature::Dossier | Nature::SqliteSansIdentifiant => {}
    }
    if let Some(v) = version_du_fichier(path)
        && v > schema::VERSION
    {
        return Err(StoreError::TooNew { path: path.display().to_string(), found: v, supported: schema::VERSION });
    }
    Ok(())
}

/// Once SQLite has it open: a database without application id must have a dossier's tables,
/// and the file must pass `PRAGMA quick_check`.
fn verifier_contenu(conn: &Connection, path: &Path, verifier_pages: bool) -> Result<()> {
    let endommage = |_| StoreError::Endommage { path: path.display().to_string() };
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| map_open_error(path, e))?;
    if app == 0 {
        let version: i64 =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| map_open_error(path, e))?;
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('parametres', 'imports', 'logements', 'correspondances')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| map_open_error(path, e))?;
        if version == 0 || tables < 4 {
            return Err(pas_un_dossier(path, "base de données d'un autre programme"));
        }
    }
    if verifier_pages && !deja_verifie(path) {
        let mut st = conn.prepare("PRAGMA quick_check").map_err(|e| map_open_error(path, e))?;
        let lignes: Vec<String> =
            st.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(|e| map_open_error(path, e))?;
        if lignes.len() != 1 || lignes[0] != "ok" {
            return Err(endommage(()));
        }
        marquer_verifie(path);
    }
    Ok(())
}

/// A file as it was when found sound: size, modification time (nanoseconds) and, from its
/// SQLite header, the change counter and the page count.
type Etat = (u64, u128, u32, u32);

/// The files this process checked (`PRAGMA quick_check`) and found sound, or wrote itself
/// after such a check, as they were then: the window reloading a dossier it just wrote, or a
/// bilan opening it on two threads, does not check it again; any change is checked anew.
fn verifies() -> &'static std::sync::Mutex<std::collections::HashMap<PathBuf, Etat>> {
    static V: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<PathBuf, Etat>>> =
        std::sync::OnceLock::new();
    V.get_or_init(Default::default)
}

fn etat_du_fichier(path: &Path) -> Option<(PathBuf, Etat)> {
    use std::io::Read;
    let m = std::fs::metadata(path).ok()?;
    let mtime = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    let mut h = [0u8; 32];
    std::fs::File::open(path).ok()?.read_exact(&mut h).ok()?;
    let compteur = u32::from_be_bytes([h[24], h[25], h[26], h[27]]);
    let pages = u32::from_be_bytes([h[28], h[29], h[30], h[31]]);
    Some((std::fs::canonicalize(path).ok()?, (m.len(), mtime, compteur, pages)))
}

/// The record of the dossiers found sound, kept between runs (`PRAGMA quick_check` reads the
/// whole file: seconds for a national dossier). A dossier unchanged since — same size,
/// modification time, SQLite change counter and page count — is not checked again; one
/// changed by anything but Contingents (a copy, another program, a damaged disk rewriting
/// it) is. `CONTINGENTS_HOME` moves it with the settings (tests, portable installs).
fn registre_des_verifications() -> Option<PathBuf> {
    let dir = std::env::var_os("CONTINGENTS_HOME")
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("cache"))
        .or_else(|| directories::ProjectDirs::from("fr", "Contingents", "contingents").map(|d| d.cache_dir().into()))?;
    Some(dir.join("dossiers-verifies.tsv"))
}

/// Lines `chemin \t taille \t date \t compteur \t pages` of the record.
fn lire_registre(f: &Path) -> Vec<(String, Etat)> {
    let text = std::fs::read_to_string(f).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let v: Vec<&str> = l.split('\t').collect();
            if v.len() != 5 {
                return None;
            }
            Some((v[0].to_string(), (v[1].parse().ok()?, v[2].parse().ok()?, v[3].parse().ok()?, v[4].parse().ok()?)))
        })
        .collect()
}

fn deja_verifie(path: &Path) -> bool {
    let Some((p, etat)) = etat_du_fichier(path) else { return false };
    if verifies().lock().map(|v| v.get(&p) == Some(&etat)).unwrap_or(false) {
        return true;
    }
    let Some(f) = registre_des_verifications() else { return false };
    let chemin = p.display().to_string();
    lire_registre(&f).iter().any(|(c, e)| *c == chemin && *e == etat)
}

/// Whether opening a dossier will check it (`PRAGMA quick_check`, seconds for a national
/// dossier): not found sound, unchanged, before.
pub fn a_verifier(path: &Path) -> bool {
    !deja_verifie(path)
}

/// At most this many dossiers in the record (the most recent).
const VERIFIES_GARDES: usize = 64;

fn marquer_verifie(path: &Path) {
    let Some((p, etat)) = etat_du_fichier(path) else { return };
    if let Ok(mut v) = verifies().lock() {
        v.insert(p.clone(), etat);
    }
    // Kept for the next runs; a record that cannot be written only costs a check.
    let Some(f) = registre_des_verifications() else { return };
    let chemin = p.display().to_string();
    if chemin.contains(['\t', '\n']) {
        return;
    }
    let mut lignes = lire_registre(&f);
    lignes.retain(|(c, _)| *c != chemin);
    lignes.push((chemin, etat));
    let debut = lignes.len().saturating_sub(VERIFIES_GARDES);
    let text: String =
        lignes[debut..].iter().map(|(c, e)| format!("{c}\t{}\t{}\t{}\t{}\n", e.0, e.1, e.2, e.3)).collect();
    let Some(dir) = f.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".dossiers-verifies.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &f).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn map_open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Occupe { fenetre, .. } => StoreError::Occupe { path: path.display().to_string(), fenetre },
        StoreError::Endommage { .. } => StoreError::Endommage { path: path.display().to_string() },
        other => other,
    }
}

/// A stopping point inside a write transaction, for the tests that kill a command there or
/// run another one meanwhile: with `CONTINGENTS_TEST_PAUSE=F` in its environment, the
/// process writes `F.pret` and waits (at most a minute) for `F` to exist. Without the
/// variable (always, outside the tests) it does nothing.
pub fn point_d_arret() {
    let Some(f) = std::env::var_os("CONTINGENTS_TEST_PAUSE") else { return };
    let f = PathBuf::from(f);
    let _ = std::fs::write(PathBuf::from(format!("{}.pret", f.display())), b"");
    let debut = std::time::Instant::now();
    while !f.exists() && debut.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

impl Dossier {
    /// Opens a dossier to write it, creating it when `create` and it does not exist, and
    /// migrates it forward. Refused, the file untouched: a file that is not a dossier (empty,
    /// not SQLite, another program's database), a damaged one (`PRAGMA quick_check`), a newer
    /// one, one a window holds (its lock) — see [`StoreError`].
    pub fn open(path: &Path, create: bool) -> Result<Self> {
        let existe = path.exists();
        if !existe && !create {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        if existe {
            verifier_entete(path)?;
        }
        if let Some(t) = verrou::tenu_par_un_autre(path) {
            return Err(StoreError::Occupe { path: path.display().to_string(), fenetre: Some(t) });
        }
        let flags = if existe {
            OpenFlags::SQLITE_OPEN_READ_WRITE | SANS_VERROU
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | SANS_VERROU
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| map_open_error(path, e))?;
        conn.busy_timeout(ATTENTE).map_err(|e| map_open_error(path, e))?;
        if existe {
            verifier_contenu(&conn, path, true)?;
        }
        tune(&conn);
        let mut d = Dossier { conn, path: path.to_path_buf(), sain: true, compte: Default::default() };
        d.migrate().and_then(|_| d.reparer_cube()).map_err(|e| match e {
            StoreError::Occupe { fenetre, .. } => StoreError::Occupe { path: path.display().to_string(), fenetre },
            other => other,
        })?;
        Ok(d)
    }

    /// Opens an existing dossier read-only (views, reports, exports). Refused like
    /// [`Dossier::open`]: not a dossier, damaged (`PRAGMA quick_check`), newer.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        verifier_entete(path)?;
        // A journal left by an interrupted import: rolling it back needs write access once.
        let journal = PathBuf::from(format!("{}-journal", path.display()));
        if std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0) {
            let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | SANS_VERROU)
                .map_err(|e| map_open_error(path, e))?;
            conn.busy_timeout(ATTENTE).map_err(|e| map_open_error(path, e))?;
            conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
                .map_err(|e| map_open_error(path, e))?;
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | SANS_VERROU)
            .map_err(|e| map_open_error(path, e))?;
        conn.busy_timeout(ATTENTE).map_err(|e| map_open_error(path, e))?;
        verifier_contenu(&conn, path, true)?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| map_open_error(path, e))?;
        if v > schema::VERSION {
            return Err(StoreError::TooNew { path: path.display().to_string(), found: v, supported: schema::VERSION });
        }
        if v < schema::VERSION {
            // Migrated once, if the file can be written; else read as it is (the cube is then
            // computed in memory at each opening).
            match Self::open(path, false) {
                Err(StoreError::ReadOnly | StoreError::Occupe { .. }) => {}
                other => return other,
            }
        }
        tune(&conn);
        Ok(Dossier { conn, path: path.to_path_buf(), sain: true, compte: Default::default() })
    }

    fn migrate(&mut self) -> Result<()> {
        let v: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if v > schema::VERSION {
            return Err(StoreError::TooNew {
                path: self.path.display().to_string(),
                found: v,
                supported: schema::VERSION,
            });
        }
        if v == schema::VERSION {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated it while this one waited.
        let v: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        // Whether the kept cells match the dossier by the fingerprint of its version (the
        // dwellings counted): then they stay, under the fingerprint of this one.
        let cube_valide = v >= schema::VERSION_DU_CUBE && cube::valides(&tx, &self.compte)?;
        // Renumbering rows that others refer to passes through states the foreign keys refuse:
        // they are checked once, at the end.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(v as usize) {
            schema::migrer(&tx, sql)?;
            if i == 0 || i == 2 {
                correspondances::seed(&tx)?;
            }
        }
        // The cells of the cube, computed once from the dwellings.
        if v < schema::VERSION_DU_CUBE {
            cube::reconstruire(&tx, &self.compte)?;
        } else if v < schema::VERSION_DU_COMPTE && cube_valide {
            cube::ecrire_empreinte(&tx, &self.compte)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", schema::VERSION)?;
        tx.commit()?;
        Ok(())
    }

    pub fn parametre(&self, cle: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT valeur FROM parametres WHERE cle = ?1", [cle], |r| r.get(0)).optional()?)
    }

    /// Sets a parameter; the reference date and the territory in one transaction with the
    /// cells of the cube (a new date moves extinct rights in every cell).
    pub fn set_parametre(&self, cle: &str, valeur: &str) -> Result<()> {
        const SQL: &str = "INSERT INTO parametres(cle, valeur) VALUES (?1, ?2) ON CONFLICT(cle) DO UPDATE SET valeur = excluded.valeur";
        if !matches!(cle, "date_reference" | "territoire") {
            self.conn.execute(SQL, params![cle, valeur])?;
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction()?;
        let valides = cube::valides(&tx, &self.compte)?;
        let avant = self.date_reference();
        tx.execute(SQL, params![cle, valeur])?;
        let mut changement = cube::Changement::Rien;
        if self.date_reference() != avant {
            changement.tout();
        }
        cube::suivre(&tx, &self.compte, valides, &changement)?;
        tx.commit()?;
        Ok(())
    }

    /// Computes again the cells of the cube when they no longer match the dossier (a dossier
    /// written elsewhere, or an interrupted migration): once, by the first writer.
    fn reparer_cube(&mut self) -> Result<()> {
        if compteur(&self.conn)?.is_some() && cube::valides(&self.conn, &self.compte)? {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // The count of the dwellings and its triggers (dropped by another program) first: the
        // cells then keep the fingerprint that reads it.
        if compteur(&tx)?.is_none() {
            remettre_le_compteur(&tx)?;
        }
        if !cube::valides(&tx, &self.compte)? {
            cube::reconstruire(&tx, &self.compte)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many times this connection counted the dwellings (see [`CompteDesLogements`]): none
    /// while SQLite keeps their count.
    pub fn comptages_des_logements(&self) -> u64 {
        self.compte.comptages.get()
    }

    pub fn territoire(&self) -> Territoire {
        self.parametre("territoire").ok().flatten().and_then(|t| Territoire::parse(&t).ok()).unwrap_or(Territoire::Tout)
    }

    pub fn date_reference(&self) -> Date {
        self.parametre("date_reference")
            .ok()
            .flatten()
            .and_then(|d| Date::parse_iso(&d))
            .unwrap_or_else(default_date_reference)
    }
}

/// The next import number, shared by the états des lieux and the registers.
fn prochain_numero(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT 1 + MAX((SELECT COALESCE(MAX(id), 0) FROM imports), (SELECT COALESCE(MAX(id), 0) FROM suivi_imports))",
        [],
        |r| r.get(0),
    )?)
}

/// A larger page cache and memory-mapped reads: the flux and the bilans read a bailleur's
/// dwellings page after page. Only speed is at stake: a refused pragma changes nothing else.
fn tune(conn: &Connection) {
    let _ = conn.pragma_update(None, "cache_size", -65_536);
    let _ = conn.pragma_update(None, "mmap_size", 268_435_456);
}

/// The reference date the window proposes for a new dossier made on `aujourdhui` (shown with
/// why, for the user to confirm or change): 1 January of the year of the flux being prepared
/// (the parc is counted at 01/01/N, domaine.md) — this year until September, next year from
/// October on, when the états des lieux are those of the coming year's flux. The command line
/// keeps its contract instead ([`default_date_reference`]).
pub fn date_reference_pour(aujourdhui: Date) -> Date {
    let annee = if aujourdhui.month >= 10 { aujourdhui.year + 1 } else { aujourdhui.year };
    Date::new(annee, 1, 1).unwrap_or(Date { year: annee, month: 1, day: 1 })
}

/// Today (UTC), as the dossier dates its imports.
pub fn aujourdhui() -> Date {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::new(1970, 1, 1).and_then(|d| d.add_days((now / 86_400) as i64)).unwrap_or(Date {
        year: 2026,
        month: 1,
        day: 1,
    })
}

/// The reference date of `import` without `--date-reference`, and of a dossier that has none
/// stored: 1 January of the current year — the command line's contract (interfaces.md:
/// « default: 1 January of the current year »), which a silent default must not move. The
/// window does not use it silently: it proposes [`date_reference_pour`] and says why.
pub fn default_date_reference() -> Date {
    let annee = aujourdhui().year;
    Date::new(annee, 1, 1).unwrap_or(Date { year: annee, month: 1, day: 1 })
}

/// Now, as the dossier dates its imports (`AAAA-MM-JJ HH:MM:SS`, UTC).
pub fn now_iso() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let day = Date::new(1970, 1, 1).and_then(|d| d.add_days((secs / 86_400) as i64));
    let t = secs % 86_400;
    match day {
        Some(d) => format!("{d} {:02}:{:02}:{:02}", t / 3600, t % 3600 / 60, t % 60),
        None => String::new(),
    }
}

/// A réservataire's id is written in the dossier as its text (`etat`, `commune:06004`).
impl rusqlite::types::ToSql for crate::model::Reservataire {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
    }
}

impl rusqlite::types::FromSql for crate::model::Reservataire {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        v.as_str().map(crate::model::Reservataire::new)
    }
}

#[cfg(test)]
mod date_reference_tests {
    use super::*;

    fn d(y: i32, m: u8, j: u8) -> Date {
        Date::new(y, m, j).unwrap()
    }

    #[test]
    fn la_date_de_reference_d_un_nouveau_dossier_est_le_1er_janvier_du_flux_prepare() {
        assert_eq!(date_reference_pour(d(2026, 1, 1)), d(2026, 1, 1));
        assert_eq!(date_reference_pour(d(2026, 6, 15)), d(2026, 1, 1));
        assert_eq!(date_reference_pour(d(2026, 9, 30)), d(2026, 1, 1));
        assert_eq!(date_reference_pour(d(2026, 10, 1)), d(2027, 1, 1));
        assert_eq!(date_reference_pour(d(2026, 12, 4)), d(2027, 1, 1));
        assert_eq!(date_reference_pour(d(2026, 12, 31)), d(2027, 1, 1));
        assert_eq!(date_reference_pour(d(2027, 1, 2)), d(2027, 1, 1));
        // The command line's silent default keeps its contract: 1 January of the current year.
        assert_eq!(default_date_reference(), d(aujourdhui().year, 1, 1));
    }
}
