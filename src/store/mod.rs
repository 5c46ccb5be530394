//! The dossier: one SQLite file holding the dwellings with their source, the import
//! history, the label mappings and the settings. Every import is one transaction.

pub mod bailleurs;
pub mod schema;
pub mod verrou;

use crate::model::{Conflit, FINANCEMENT_DEFAUT, LigneLogement, Mappings, Motif, Rejet};
use crate::model::{Date, Financement};
use crate::reference::Territoire;
use crate::text::key;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
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
    #[error("erreur SQLite : {0}")]
    Sql(rusqlite::Error),
    #[error("le dossier contient une donnée illisible : {0}")]
    Corrompu(String),
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
                _ => StoreError::Sql(e),
            },
            _ => StoreError::Sql(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The application id of every dossier (`PRAGMA application_id`, bytes 68–71 of the file):
/// « CNTG ». A dossier written before it existed has 0 and gets it on its next opening.
pub const APPLICATION_ID: i32 = 0x434E_5447;

/// How long a command waits for another writer before saying the dossier is busy.
pub const ATTENTE: std::time::Duration = std::time::Duration::from_secs(5);

pub struct Dossier {
    pub conn: Connection,
    pub path: PathBuf,
    /// Opened after a successful `PRAGMA quick_check`: what this connection writes (SQLite's
    /// own transactions) leaves the file sound, so the next opening by this process need not
    /// check it again (the window writes a mapping, then reloads).
    sain: bool,
}

impl Drop for Dossier {
    fn drop(&mut self) {
        if self.sain && self.conn.is_autocommit() {
            marquer_verifie(&self.path);
        }
    }
}

/// One line of the import history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportInfo {
    pub id: i64,
    pub fichier: String,
    pub sha256: String,
    pub date_import: String,
    pub bailleurs: Vec<String>,
    pub actif: bool,
    pub lignes_lues: i64,
    pub logements: i64,
    pub rejets: i64,
    pub conflits: i64,
    pub doublons: i64,
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

type Etat = (u64, std::time::SystemTime);

/// The files this process checked (`PRAGMA quick_check`) and found sound, as they were then
/// (size, modification time): the window reloading a dossier it just wrote, or a bilan
/// opening it on two threads, does not check it again; any change is checked anew.
fn verifies() -> &'static std::sync::Mutex<std::collections::HashMap<PathBuf, Etat>> {
    static V: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<PathBuf, Etat>>> =
        std::sync::OnceLock::new();
    V.get_or_init(Default::default)
}

fn etat_du_fichier(path: &Path) -> Option<(PathBuf, Etat)> {
    let m = std::fs::metadata(path).ok()?;
    Some((std::fs::canonicalize(path).ok()?, (m.len(), m.modified().ok()?)))
}

fn deja_verifie(path: &Path) -> bool {
    let Some((p, etat)) = etat_du_fichier(path) else { return false };
    verifies().lock().map(|v| v.get(&p) == Some(&etat)).unwrap_or(false)
}

fn marquer_verifie(path: &Path) {
    if let Some((p, etat)) = etat_du_fichier(path)
        && let Ok(mut v) = verifies().lock()
    {
        v.insert(p, etat);
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
            OpenFlags::SQLITE_OPEN_READ_WRITE
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| map_open_error(path, e))?;
        conn.busy_timeout(ATTENTE).map_err(|e| map_open_error(path, e))?;
        if existe {
            verifier_contenu(&conn, path, true)?;
        }
        tune(&conn);
        let mut d = Dossier { conn, path: path.to_path_buf(), sain: true };
        d.migrate().map_err(|e| match e {
            StoreError::Sql(s) => map_open_error(path, s),
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
            let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
                .map_err(|e| map_open_error(path, e))?;
            conn.busy_timeout(ATTENTE).map_err(|e| map_open_error(path, e))?;
            conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
                .map_err(|e| map_open_error(path, e))?;
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| map_open_error(path, e))?;
        conn.busy_timeout(ATTENTE).map_err(|e| map_open_error(path, e))?;
        verifier_contenu(&conn, path, true)?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| map_open_error(path, e))?;
        if v > schema::VERSION {
            return Err(StoreError::TooNew { path: path.display().to_string(), found: v, supported: schema::VERSION });
        }
        if v < schema::VERSION {
            drop(conn);
            return Self::open(path, false);
        }
        tune(&conn);
        Ok(Dossier { conn, path: path.to_path_buf(), sain: true })
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
        // Renumbering rows that others refer to passes through states the foreign keys refuse:
        // they are checked once, at the end.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(v as usize) {
            tx.execute_batch(sql)?;
            if i == 0 || i == 2 {
                seed(&tx)?;
            }
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", schema::VERSION)?;
        tx.commit()?;
        Ok(())
    }

    pub fn parametre(&self, cle: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT valeur FROM parametres WHERE cle = ?1", [cle], |r| r.get(0)).optional()?)
    }

    pub fn set_parametre(&self, cle: &str, valeur: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO parametres(cle, valeur) VALUES (?1, ?2) ON CONFLICT(cle) DO UPDATE SET valeur = excluded.valeur",
            params![cle, valeur],
        )?;
        Ok(())
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

    /// The financement correspondence in force: (label, canonical) pairs.
    pub fn financement_pairs(&self) -> Result<Vec<(String, Financement)>> {
        let mut st = self.conn.prepare("SELECT libelle, valeur FROM correspondances WHERE champ = 'financement'")?;
        let pairs = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .filter_map(|r| r.ok())
            .filter_map(|(l, v)| Some((l, Financement::parse(&v)?)))
            .collect::<Vec<_>>();
        Ok(pairs)
    }

    /// The financement correspondence as (label, canonical) rows, for display and editing.
    pub fn financement_labels(&self) -> Result<Vec<(String, String)>> {
        let mut st = self.conn.prepare(
            "SELECT libelle, valeur FROM correspondances WHERE champ = 'financement' ORDER BY valeur, libelle",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn mappings(&self) -> Result<Mappings> {
        let mut m = Mappings::default();
        let mut st =
            self.conn.prepare("SELECT champ, cle, valeur FROM correspondances WHERE champ <> 'financement'")?;
        let rows =
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (champ, cle, valeur) = row?;
            match champ.as_str() {
                "reservataire" => m.reservataire.insert(cle, valeur),
                "commune" => m.commune.insert(cle, valeur),
                "typologie" => m.typologie.insert(cle, valeur),
                "siecle" => {
                    if let Some(s) = crate::model::Siecle::parse(&valeur) {
                        m.siecle.insert(cle, s);
                    }
                    None
                }
                _ => None,
            };
        }
        Ok(m)
    }

    /// Saves a label mapping confirmed by the user (`champ`: reservataire, commune,
    /// typologie, financement).
    pub fn set_mapping(&self, champ: &str, libelle: &str, valeur: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO correspondances(champ, cle, libelle, valeur, origine) VALUES (?1, ?2, ?3, ?4, 'utilisateur')
             ON CONFLICT(champ, cle) DO UPDATE SET valeur = excluded.valeur, libelle = excluded.libelle, origine = 'utilisateur'",
            params![champ, key(libelle), libelle, valeur],
        )?;
        Ok(())
    }

    /// What a label mapping is about to change, to undo it: the dwellings' last id, the rows
    /// set aside that it may resolve, and the mapping it replaces.
    pub fn avant_association(&self, champ: &str, libelle: &str) -> Result<AvantAssociation> {
        let max_logement: i64 = self.conn.query_row("SELECT COALESCE(MAX(id), 0) FROM logements", [], |r| r.get(0))?;
        let mut st = self.conn.prepare(
            "SELECT id, import_id, bailleur, feuille, ligne, motif, valeur, brut FROM rejets
             WHERE motif IN ('reservataire_inconnu', 'commune_inconnue', 'typologie_inconnue', 'financement_inconnu', 'date_ambigue')",
        )?;
        let rejets = st
            .query_map([], |r| {
                Ok(RejetSauve {
                    id: r.get(0)?,
                    import_id: r.get(1)?,
                    bailleur: r.get(2)?,
                    feuille: r.get(3)?,
                    ligne: r.get(4)?,
                    motif: r.get(5)?,
                    valeur: r.get(6)?,
                    brut: r.get(7)?,
                })
            })?
            .collect::<std::result::Result<_, _>>()?;
        let precedente = self
            .conn
            .query_row(
                "SELECT valeur, origine FROM correspondances WHERE champ = ?1 AND cle = ?2",
                params![champ, cle_de(champ, libelle)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(AvantAssociation { champ: champ.into(), libelle: libelle.into(), max_logement, rejets, precedente })
    }

    /// Undoes a label mapping: the dwellings it brought back leave again, the rows set aside
    /// come back as they were, and the previous mapping (if any) is restored. One transaction.
    pub fn annuler_association(&mut self, a: &AvantAssociation) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM logements WHERE id > ?1", [a.max_logement])?;
        for r in &a.rejets {
            tx.execute(
                "INSERT OR REPLACE INTO rejets(id, import_id, bailleur, feuille, ligne, motif, valeur, brut)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.motif, r.valeur, r.brut],
            )?;
        }
        match &a.precedente {
            Some((valeur, origine)) => tx.execute(
                "UPDATE correspondances SET valeur = ?3, origine = ?4 WHERE champ = ?1 AND cle = ?2",
                params![a.champ, cle_de(&a.champ, &a.libelle), valeur, origine],
            )?,
            None => tx.execute(
                "DELETE FROM correspondances WHERE champ = ?1 AND cle = ?2",
                params![a.champ, cle_de(&a.champ, &a.libelle)],
            )?,
        };
        tx.commit()?;
        Ok(())
    }

    /// The active rights (a réservataire, not `non-reserve`) whose convention ends strictly
    /// before `date`: the extinct rights at that reference date.
    pub fn droits_echus_au(&self, date: Date) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
             ON l.import_id = b.import_id AND l.bailleur = b.bailleur
             WHERE b.actif = 1 AND l.reservataire <> 'non-reserve'
               AND l.date_fin_convention IS NOT NULL AND l.date_fin_convention < ?1",
            [date.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// What changing the reference date does, before doing it: the extinct rights at each date
    /// and those that change side.
    pub fn effet_date_reference(&self, nouvelle: Date) -> Result<EffetDateReference> {
        let ancienne = self.date_reference();
        let (avant, apres) = (self.droits_echus_au(ancienne)?, self.droits_echus_au(nouvelle)?);
        let (lo, hi) = if ancienne <= nouvelle { (ancienne, nouvelle) } else { (nouvelle, ancienne) };
        let entre: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
             ON l.import_id = b.import_id AND l.bailleur = b.bailleur
             WHERE b.actif = 1 AND l.reservataire <> 'non-reserve'
               AND l.date_fin_convention >= ?1 AND l.date_fin_convention < ?2",
            params![lo.to_string(), hi.to_string()],
            |r| r.get(0),
        )?;
        let entre = entre as u64;
        Ok(EffetDateReference {
            ancienne,
            nouvelle,
            echus_avant: avant,
            echus_apres: apres,
            deviennent_echus: if nouvelle > ancienne { entre } else { 0 },
            ne_sont_plus_echus: if nouvelle < ancienne { entre } else { 0 },
        })
    }

    /// Changes the reference date (the extinct rights follow it); returns what it changed.
    pub fn changer_date_reference(&mut self, nouvelle: Date) -> Result<EffetDateReference> {
        let effet = self.effet_date_reference(nouvelle)?;
        self.set_parametre("date_reference", &nouvelle.to_string())?;
        Ok(effet)
    }

    /// Saves the century the user gave to the two-digit years of a file column (`cle` from
    /// `crate::import::row::cle_siecle`; `libelle` says the file and column for people).
    pub fn set_siecle(&self, cle: &str, libelle: &str, siecle: crate::model::Siecle) -> Result<()> {
        self.conn.execute(
            "INSERT INTO correspondances(champ, cle, libelle, valeur, origine) VALUES ('siecle', ?1, ?2, ?3, 'utilisateur')
             ON CONFLICT(champ, cle) DO UPDATE SET valeur = excluded.valeur, libelle = excluded.libelle, origine = 'utilisateur'",
            params![cle, libelle, siecle.as_str()],
        )?;
        Ok(())
    }

    /// Whether the dossier holds at least one import (of either kind).
    pub fn a_des_imports(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM imports) OR EXISTS (SELECT 1 FROM suivi_imports)",
            [],
            |r| r.get(0),
        )?)
    }

    /// The rows set aside, in the active imports, whose motif a mapping or a decision may
    /// resolve: what [`crate::import::run::reapply_mappings`] reads again.
    pub fn rejets_a_relire(&self, motifs: &[&str]) -> Result<Vec<RejetARelire>> {
        let liste = motifs.iter().map(|m| format!("'{}'", m.replace('\'', ""))).collect::<Vec<_>>().join(", ");
        let mut st = self.conn.prepare(&format!(
            "SELECT r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.brut, i.colonnes, i.fichier FROM rejets r
             JOIN imports i ON i.id = r.import_id
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
             WHERE r.motif IN ({liste}) ORDER BY r.id"
        ))?;
        let rows = st.query_map([], |r| {
            Ok(RejetARelire {
                id: r.get(0)?,
                import_id: r.get(1)?,
                bailleur: r.get(2)?,
                feuille: r.get(3)?,
                ligne: r.get(4)?,
                brut: r.get(5)?,
                colonnes: r.get(6)?,
                fichier: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The rows set aside for one motif in the active imports, with their value.
    pub fn rejets_du_motif(&self, motif: &str) -> Result<Vec<(RejetARelire, String)>> {
        let mut st = self.conn.prepare(
            "SELECT r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.brut, i.colonnes, i.fichier, r.valeur FROM rejets r
             JOIN imports i ON i.id = r.import_id
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
             WHERE r.motif = ?1 ORDER BY r.id",
        )?;
        let rows = st.query_map([motif], |r| {
            Ok((
                RejetARelire {
                    id: r.get(0)?,
                    import_id: r.get(1)?,
                    bailleur: r.get(2)?,
                    feuille: r.get(3)?,
                    ligne: r.get(4)?,
                    brut: r.get(5)?,
                    colonnes: r.get(6)?,
                    fichier: r.get(7)?,
                },
                r.get(8)?,
            ))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn imports(&self) -> Result<Vec<ImportInfo>> {
        let mut st = self.conn.prepare(
            "SELECT i.id, i.fichier, i.sha256, i.date_import, i.lignes_lues, i.logements, i.rejets, i.conflits, i.doublons,
                    COALESCE(group_concat(b.bailleur, char(9)), ''), COALESCE(max(b.actif), 0)
             FROM imports i LEFT JOIN import_bailleurs b ON b.import_id = i.id GROUP BY i.id ORDER BY i.id",
        )?;
        let rows = st.query_map([], |r| {
            let bailleurs: String = r.get(9)?;
            Ok(ImportInfo {
                id: r.get(0)?,
                fichier: r.get(1)?,
                sha256: r.get(2)?,
                date_import: r.get(3)?,
                lignes_lues: r.get(4)?,
                logements: r.get(5)?,
                rejets: r.get(6)?,
                conflits: r.get(7)?,
                doublons: r.get(8)?,
                bailleurs: bailleurs.split('\t').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                actif: r.get::<_, i64>(10)? != 0,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The history of both kinds of imports (états des lieux and registers), in the order of
    /// their numbers — one numbering for both.
    pub fn historique(&self) -> Result<Vec<Entree>> {
        let mut out: Vec<Entree> = self
            .imports()?
            .into_iter()
            .map(|i| Entree {
                import: i.id,
                genre: Genre::EtatDesLieux,
                bailleur: i.bailleurs.join(", "),
                bailleurs: i.bailleurs,
                fichier: i.fichier,
                date: i.date_import,
                actif: i.actif,
                lignes: i.lignes_lues,
                logements: i.logements,
                rejets: i.rejets,
                sha256: i.sha256,
            })
            .collect();
        let mut st = self.conn.prepare(
            "SELECT id, fichier, sha256, date_import, bailleur, lignes_lues, mises_a_disposition, rejets, actif
             FROM suivi_imports ORDER BY id",
        )?;
        let registres = st.query_map([], |r| {
            let bailleur: String = r.get(4)?;
            Ok(Entree {
                import: r.get(0)?,
                genre: Genre::Registre,
                fichier: r.get(1)?,
                sha256: r.get(2)?,
                date: r.get(3)?,
                bailleurs: vec![bailleur.clone()],
                bailleur,
                lignes: r.get(5)?,
                logements: r.get(6)?,
                rejets: r.get(7)?,
                actif: r.get::<_, i64>(8)? != 0,
            })
        })?;
        for e in registres {
            out.push(e?);
        }
        out.sort_by_key(|e| e.import);
        Ok(out)
    }

    /// Makes an import the active version again: for an état des lieux, its version of its
    /// bailleurs' dwellings; for a register, the bailleur's register. One transaction.
    pub fn restore(&mut self, import_id: i64) -> Result<Retablissement> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let bailleurs: Vec<String> = {
            let mut st = tx.prepare("SELECT bailleur FROM import_bailleurs WHERE import_id = ?1")?;
            st.query_map([import_id], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        let genre = if !bailleurs.is_empty() {
            for b in &bailleurs {
                tx.execute("UPDATE import_bailleurs SET actif = 0 WHERE bailleur = ?1", [b])?;
                tx.execute(
                    "UPDATE import_bailleurs SET actif = 1 WHERE bailleur = ?1 AND import_id = ?2",
                    params![b, import_id],
                )?;
            }
            Genre::EtatDesLieux
        } else {
            let registre: Option<String> = tx
                .query_row("SELECT bailleur FROM suivi_imports WHERE id = ?1", [import_id], |r| r.get(0))
                .optional()?;
            let Some(b) = registre else { return Err(StoreError::UnknownImport(import_id)) };
            tx.execute("UPDATE suivi_imports SET actif = (id = ?2) WHERE bailleur = ?1", params![b, import_id])?;
            return {
                point_d_arret();
                tx.commit()?;
                Ok(Retablissement { genre: Genre::Registre, bailleurs: vec![b] })
            };
        };
        point_d_arret();
        tx.commit()?;
        Ok(Retablissement { genre, bailleurs })
    }

    /// Withdraws an import of either kind: its bailleurs no longer count (the history keeps it).
    pub fn deactivate(&mut self, import_id: i64) -> Result<()> {
        let n = self.conn.execute("UPDATE import_bailleurs SET actif = 0 WHERE import_id = ?1", [import_id])?;
        if n == 0 {
            let m = self.conn.execute("UPDATE suivi_imports SET actif = 0 WHERE id = ?1", [import_id])?;
            if m == 0 {
                return Err(StoreError::UnknownImport(import_id));
            }
        }
        Ok(())
    }
}

/// The kind of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Genre {
    EtatDesLieux,
    Registre,
}

impl Genre {
    pub fn label(self) -> &'static str {
        match self {
            Genre::EtatDesLieux => "état des lieux",
            Genre::Registre => "registre",
        }
    }
}

/// One import of the history, of either kind (`historique --format json` of interfaces.md).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entree {
    pub import: i64,
    pub genre: Genre,
    /// The bailleurs' names, joined by « , » when a file holds several.
    pub bailleur: String,
    #[serde(skip)]
    pub bailleurs: Vec<String>,
    pub fichier: String,
    pub date: String,
    pub actif: bool,
    /// Rows read.
    pub lignes: i64,
    /// Dwellings kept (a register: its mises à disposition, hors flux included).
    pub logements: i64,
    pub rejets: i64,
    #[serde(skip)]
    pub sha256: String,
}

/// What `restore` brought back.
#[derive(Debug, Clone, PartialEq)]
pub struct Retablissement {
    pub genre: Genre,
    pub bailleurs: Vec<String>,
}

/// The key of a mapping: the label's key; for the century of a column (`siecle`), the label
/// is already the key ([`crate::import::row::cle_siecle`]).
fn cle_de(champ: &str, libelle: &str) -> String {
    if champ == "siecle" { libelle.to_string() } else { key(libelle) }
}

/// What changing the reference date does (see [`Dossier::effet_date_reference`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EffetDateReference {
    pub ancienne: Date,
    pub nouvelle: Date,
    /// Extinct rights at the old and at the new date.
    pub echus_avant: u64,
    pub echus_apres: u64,
    /// Rights active at the old date, extinct at the new one (a later date).
    pub deviennent_echus: u64,
    /// Rights extinct at the old date, active at the new one (an earlier date).
    pub ne_sont_plus_echus: u64,
}

/// A dwelling of the dossier that a change of territory puts outside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogementSortant {
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
}

/// The motifs a label mapping (or the century of a column) may resolve.
pub const MOTIFS_A_RELIRE: &[&str] =
    &["reservataire_inconnu", "commune_inconnue", "typologie_inconnue", "financement_inconnu", "date_ambigue"];

/// A row set aside, to read again from its raw cells and its import's column mapping.
#[derive(Debug, Clone)]
pub struct RejetARelire {
    pub id: i64,
    pub import_id: i64,
    pub bailleur: String,
    pub feuille: Option<String>,
    pub ligne: u32,
    pub brut: String,
    pub colonnes: String,
    pub fichier: String,
}

/// The next import number, shared by the états des lieux and the registers.
pub fn prochain_numero(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT 1 + MAX((SELECT COALESCE(MAX(id), 0) FROM imports), (SELECT COALESCE(MAX(id), 0) FROM suivi_imports))",
        [],
        |r| r.get(0),
    )?)
}

/// Up to `n` names among `connus` closest to `nom` (spelling mistakes, abbreviations), best
/// first — to say which bailleur was meant.
pub fn noms_proches(nom: &str, connus: &[String], n: usize) -> Vec<String> {
    let k = key(nom);
    let mut scored: Vec<(f64, &String)> = connus
        .iter()
        .map(|c| {
            let ck = key(c);
            let mut s = strsim::jaro_winkler(&k, &ck);
            if !k.is_empty() && (ck.contains(&k) || k.contains(&ck)) {
                s = s.max(0.9);
            }
            (s, c)
        })
        .filter(|(s, _)| *s >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, c)| c.clone()).collect()
}

/// A larger page cache and memory-mapped reads: the flux and the bilans read a bailleur's
/// dwellings page after page. Only speed is at stake: a refused pragma changes nothing else.
fn tune(conn: &Connection) {
    let _ = conn.pragma_update(None, "cache_size", -65_536);
    let _ = conn.pragma_update(None, "mmap_size", 268_435_456);
}

/// A row set aside, as saved before a label mapping (to undo it).
#[derive(Debug, Clone, PartialEq)]
pub struct RejetSauve {
    pub id: i64,
    pub import_id: i64,
    pub bailleur: String,
    pub feuille: Option<String>,
    pub ligne: i64,
    pub motif: String,
    pub valeur: String,
    pub brut: String,
}

/// The state of the dossier before a label mapping (see [`Dossier::avant_association`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AvantAssociation {
    pub champ: String,
    pub libelle: String,
    pub max_logement: i64,
    pub rejets: Vec<RejetSauve>,
    pub precedente: Option<(String, String)>,
}

pub fn default_date_reference() -> Date {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let year = Date::new(1970, 1, 1).and_then(|d| d.add_days((now / 86_400) as i64)).map(|d| d.year).unwrap_or(2026);
    Date::new(year, 1, 1).unwrap_or(Date { year: 2026, month: 1, day: 1 })
}

fn seed(tx: &Transaction) -> rusqlite::Result<()> {
    let mut st = tx.prepare(
        "INSERT OR IGNORE INTO correspondances(champ, cle, libelle, valeur, origine) VALUES ('financement', ?1, ?2, ?3, 'defaut')",
    )?;
    for (label, f) in FINANCEMENT_DEFAUT {
        st.execute(params![key(label), label, f.as_str()])?;
    }
    Ok(())
}

/// Writes one import (one or several files) inside one transaction.
pub struct ImportWriter<'c> {
    tx: Transaction<'c>,
    now: String,
    /// The dwellings index was dropped for a bulk load and is rebuilt at commit.
    index_dropped: std::cell::Cell<bool>,
    /// The first import of this call (the imports before it are the dossier as it was).
    premier: std::cell::Cell<Option<i64>>,
    /// Active dwellings per bailleur before this call, counted in one pass when the index is
    /// about to be dropped (without it, one count per bailleur would read every dwelling).
    avant: std::cell::RefCell<Option<std::collections::HashMap<String, u64>>>,
}

const INSERT_LOGEMENT: &str = "INSERT INTO logements(import_id, bailleur, reference, commune, epci, reservataire,
    reservataire_brut, financement, financement_brut, typologie, typologie_grille, typologie_brut, qpv,
    individuel_collectif, date_fin_convention, annee_construction, nature, commune_brut, feuille, ligne, brut)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

/// A prepared dwelling insert (see [`ImportWriter::logement_insert`]).
pub struct LogementInsert<'w>(rusqlite::Statement<'w>);

impl LogementInsert<'_> {
    pub fn insert(&mut self, import_id: i64, l: &LigneLogement) -> Result<i64> {
        insert_logement_with(&mut self.0, import_id, l)
    }
}

fn insert_logement_with(st: &mut rusqlite::Statement<'_>, import_id: i64, l: &LigneLogement) -> Result<i64> {
    let g = &l.logement;
    Ok(st.insert(params![
        import_id,
        g.bailleur,
        g.reference,
        g.commune,
        g.epci,
        g.reservataire.0,
        l.reservataire_brut,
        g.financement.as_str(),
        l.financement_brut,
        g.typologie.label(),
        g.typologie.grille().as_str(),
        l.typologie_brut,
        g.qpv,
        g.individuel_collectif.as_str(),
        g.date_fin_convention.map(|d| d.to_string()),
        g.annee_construction,
        g.nature,
        l.commune_brut,
        l.source.feuille,
        l.source.ligne,
        l.brut,
    ])?)
}

/// The dwellings index: a bailleur's active dwellings (flux, cube), and one dwelling by its
/// reference (orientation, fiche navette) without reading the bailleur's whole stock.
const LOGEMENTS_INDEX: &str = "CREATE INDEX logements_import ON logements(import_id, bailleur, reference)";

impl<'c> ImportWriter<'c> {
    pub fn begin(d: &'c mut Dossier) -> Result<Self> {
        let tx = d
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| map_open_error(&d.path, e))?;
        Ok(Self {
            tx,
            now: now_iso(),
            index_dropped: std::cell::Cell::new(false),
            premier: std::cell::Cell::new(None),
            avant: std::cell::RefCell::new(None),
        })
    }

    /// Announces about `rows` more dwellings. When they outnumber those already in the
    /// dossier, the dwellings index is dropped and rebuilt once at commit, which is cheaper
    /// than keeping it up to date row by row (all inside the transaction: a failed import
    /// leaves the index as it was).
    pub fn expect_rows(&self, rows: usize) -> Result<()> {
        if self.index_dropped.get() || rows < 20_000 {
            return Ok(());
        }
        let existing: i64 = self.tx.query_row("SELECT COALESCE(MAX(id), 0) FROM logements", [], |r| r.get(0))?;
        if rows as i64 >= existing {
            let premier = self.premier.get().unwrap_or(i64::MAX);
            let mut st = self.tx.prepare(
                "SELECT b.bailleur, COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
                 ON l.import_id = b.import_id AND l.bailleur = b.bailleur
                 WHERE b.actif = 1 AND b.import_id < ?1 GROUP BY b.bailleur",
            )?;
            let counts = st
                .query_map([premier], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?
                .collect::<std::result::Result<std::collections::HashMap<_, _>, _>>()?;
            drop(st);
            self.avant.borrow_mut().get_or_insert_with(Default::default).extend(counts);
            self.tx.execute_batch("DROP INDEX IF EXISTS logements_import")?;
            self.index_dropped.set(true);
        }
        Ok(())
    }

    pub fn set_parametre(&self, cle: &str, valeur: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO parametres(cle, valeur) VALUES (?1, ?2) ON CONFLICT(cle) DO UPDATE SET valeur = excluded.valeur",
            params![cle, valeur],
        )?;
        Ok(())
    }

    pub fn new_import(&self, fichier: &str, chemin: &str, sha256: &str, colonnes: &str) -> Result<i64> {
        let id = prochain_numero(&self.tx)?;
        if self.premier.get().is_none() {
            self.premier.set(Some(id));
        }
        self.tx.execute(
            "INSERT INTO imports(id, fichier, chemin, sha256, date_import, colonnes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, fichier, chemin, sha256, self.now, colonnes],
        )?;
        Ok(id)
    }

    pub fn insert_logement(&self, import_id: i64, l: &LigneLogement) -> Result<i64> {
        let mut st = self.tx.prepare_cached(INSERT_LOGEMENT)?;
        insert_logement_with(&mut st, import_id, l)
    }

    /// The dwelling insert prepared once for a whole import (no statement lookup per row).
    pub fn logement_insert(&self) -> Result<LogementInsert<'_>> {
        Ok(LogementInsert(self.tx.prepare(INSERT_LOGEMENT)?))
    }

    pub fn delete_logement(&self, row_id: i64) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM logements WHERE id = ?1")?.execute([row_id])?;
        Ok(())
    }

    pub fn insert_rejet(&self, import_id: i64, r: &Rejet) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO rejets(import_id, bailleur, feuille, ligne, motif, valeur, brut) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![import_id, r.bailleur, r.source.feuille, r.source.ligne, r.motif.as_str(), r.valeur, r.brut])?;
        Ok(())
    }

    pub fn insert_conflit(&self, import_id: i64, c: &Conflit) -> Result<()> {
        self.tx.execute(
            "INSERT INTO conflits(import_id, bailleur, reference, motif, valeurs) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![import_id, c.bailleur, c.reference, c.motif, serde_json::to_string(&c.valeurs).unwrap_or_default()],
        )?;
        Ok(())
    }

    /// Records the counts of an import and makes it the active version of its bailleurs.
    /// Earlier imports of the same invocation (ids from `first_of_invocation`) stay active.
    pub fn finish_import(
        &self,
        import_id: i64,
        first_of_invocation: i64,
        bailleurs: &[String],
        counts: [usize; 5],
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE imports SET lignes_lues = ?2, logements = ?3, rejets = ?4, conflits = ?5, doublons = ?6 WHERE id = ?1",
            params![import_id, counts[0] as i64, counts[1] as i64, counts[2] as i64, counts[3] as i64, counts[4] as i64],
        )?;
        for b in bailleurs {
            self.tx.execute(
                "UPDATE import_bailleurs SET actif = 0 WHERE bailleur = ?1 AND import_id < ?2",
                params![b, first_of_invocation],
            )?;
            self.tx.execute(
                "INSERT INTO import_bailleurs(import_id, bailleur, actif) VALUES (?1, ?2, 1)
                 ON CONFLICT(import_id, bailleur) DO UPDATE SET actif = 1",
                params![import_id, b],
            )?;
        }
        Ok(())
    }

    /// A bailleur's active dwellings before the import `first` (the first of this call).
    pub fn logements_actifs_avant(&self, bailleur: &str, first: i64) -> Result<u64> {
        if self.index_dropped.get()
            && let Some(m) = self.avant.borrow().as_ref()
        {
            return Ok(m.get(bailleur).copied().unwrap_or(0));
        }
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
             ON l.import_id = b.import_id AND l.bailleur = b.bailleur
             WHERE b.actif = 1 AND b.bailleur = ?1 AND b.import_id < ?2",
            params![bailleur, first],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The active import identical to a file (same SHA-256), if every bailleur it holds still
    /// uses it — and, when given, the file's bailleur is one of them: importing it again would
    /// change nothing.
    pub fn import_actif_identique(&self, sha256: &str, bailleur: Option<&str>) -> Result<Option<i64>> {
        let mut st = self.tx.prepare_cached(
            "SELECT i.id FROM imports i WHERE i.sha256 = ?1
               AND EXISTS (SELECT 1 FROM import_bailleurs b WHERE b.import_id = i.id AND b.actif = 1)
               AND NOT EXISTS (SELECT 1 FROM import_bailleurs b WHERE b.import_id = i.id AND b.actif = 0)
             ORDER BY i.id DESC",
        )?;
        let ids: Vec<i64> = st.query_map([sha256], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        for id in ids {
            let Some(b) = bailleur else { return Ok(Some(id)) };
            let k: i64 = self.tx.query_row(
                "SELECT COUNT(*) FROM import_bailleurs WHERE import_id = ?1 AND bailleur = ?2",
                params![id, b],
                |r| r.get(0),
            )?;
            if k > 0 {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    pub fn has_active_logement(&self, bailleur: &str, reference: &str) -> Result<bool> {
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM logements l JOIN import_bailleurs b ON b.import_id = l.import_id
             AND b.bailleur = l.bailleur AND b.actif = 1 WHERE l.bailleur = ?1 AND l.reference = ?2",
            params![bailleur, reference],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    pub fn delete_rejet(&self, id: i64) -> Result<()> {
        self.tx.execute("DELETE FROM rejets WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn update_rejet(&self, id: i64, motif: Motif, valeur: &str) -> Result<()> {
        self.tx
            .execute("UPDATE rejets SET motif = ?2, valeur = ?3 WHERE id = ?1", params![id, motif.as_str(), valeur])?;
        Ok(())
    }

    pub fn count_echus(&self, import_id: i64, date_reference: Date) -> Result<usize> {
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM logements WHERE import_id = ?1 AND reservataire <> 'non-reserve'
             AND date_fin_convention IS NOT NULL AND date_fin_convention < ?2",
            params![import_id, date_reference.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Every dwelling (of every import, active or not) whose commune is outside `t`: (row id,
    /// its import is active for its bailleur, the dwelling).
    pub fn logements_hors(&self, t: &Territoire) -> Result<Vec<(i64, bool, LogementSortant)>> {
        let r = crate::reference::reference();
        let mut st = self.tx.prepare(
            "SELECT l.id, l.bailleur, l.reference, l.commune, COALESCE(b.actif, 0) FROM logements l
             LEFT JOIN import_bailleurs b ON b.import_id = l.import_id AND b.bailleur = l.bailleur ORDER BY l.id",
        )?;
        let mut out = Vec::new();
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let commune: String = row.get(3)?;
            if r.commune(&commune).is_some_and(|c| t.contains(c)) {
                continue;
            }
            out.push((
                row.get(0)?,
                row.get::<_, i64>(4)? != 0,
                LogementSortant { bailleur: row.get(1)?, reference: row.get(2)?, commune },
            ));
        }
        Ok(out)
    }

    /// Sets a dwelling aside as outside the territory: it becomes a row set aside of its import
    /// (`commune_hors_territoire`, its raw commune and cells kept), to come back if the
    /// territory takes its commune in again.
    pub fn sortir_du_territoire(&self, id: i64) -> Result<()> {
        self.tx.execute(
            "INSERT INTO rejets(import_id, bailleur, feuille, ligne, motif, valeur, brut)
             SELECT import_id, bailleur, feuille, ligne, 'commune_hors_territoire', commune_brut, brut
             FROM logements WHERE id = ?1",
            [id],
        )?;
        self.tx.execute("DELETE FROM logements WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The rows set aside as outside the territory, in every import.
    pub fn rejets_hors_territoire(&self) -> Result<Vec<(RejetARelire, bool)>> {
        let mut st = self.tx.prepare(
            "SELECT r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.brut, i.colonnes, i.fichier, COALESCE(b.actif, 0)
             FROM rejets r JOIN imports i ON i.id = r.import_id
             LEFT JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur
             WHERE r.motif = 'commune_hors_territoire' ORDER BY r.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                RejetARelire {
                    id: r.get(0)?,
                    import_id: r.get(1)?,
                    bailleur: r.get(2)?,
                    feuille: r.get(3)?,
                    ligne: r.get(4)?,
                    brut: r.get(5)?,
                    colonnes: r.get(6)?,
                    fichier: r.get(7)?,
                },
                r.get::<_, i64>(8)? != 0,
            ))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Whether an import already holds a dwelling of this bailleur and reference.
    pub fn import_a_le_logement(&self, import_id: i64, bailleur: &str, reference: &str) -> Result<bool> {
        Ok(self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM logements WHERE import_id = ?1 AND bailleur = ?2 AND reference = ?3)",
            params![import_id, bailleur, reference],
            |r| r.get(0),
        )?)
    }

    /// Gives up everything written (the transaction is rolled back).
    pub fn annuler(self) {
        drop(self);
    }

    /// Existing bailleur names, to reuse their spelling.
    pub fn bailleurs(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare("SELECT DISTINCT bailleur FROM import_bailleurs")?;
        Ok(st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?)
    }

    pub fn commit(self) -> Result<()> {
        if self.index_dropped.get() {
            self.tx.execute_batch(LOGEMENTS_INDEX)?;
        }
        self.tx.commit()?;
        Ok(())
    }
}

pub fn now_iso() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let day = Date::new(1970, 1, 1).and_then(|d| d.add_days((secs / 86_400) as i64));
    let t = secs % 86_400;
    match day {
        Some(d) => format!("{d} {:02}:{:02}:{:02}", t / 3600, t % 3600 / 60, t % 60),
        None => String::new(),
    }
}

/// The `motif` column parsed back.
pub fn motif_of(s: &str) -> Motif {
    Motif::parse(s).unwrap_or(Motif::LigneIllisible)
}
