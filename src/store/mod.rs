//! The dossier: one SQLite file holding the dwellings with their source, the import
//! history, the label mappings and the settings. Every import is one transaction.

pub mod schema;

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
    #[error("{path} n'est pas un dossier Contingents lisible ({source})")]
    NotADossier { path: String, source: rusqlite::Error },
    #[error(
        "le dossier {path} est ouvert en écriture par une autre instance de Contingents ou est en lecture seule : fermez l'autre fenêtre ou copiez le dossier ailleurs"
    )]
    Busy { path: String },
    #[error("import n° {0} introuvable dans le dossier")]
    UnknownImport(i64),
    #[error("le disque est plein : libérez de la place puis relancez ; le dossier n'a pas été modifié")]
    DiskFull,
    #[error(
        "le dossier est en lecture seule (droits du fichier ou du répertoire) : copiez-le dans un répertoire où vous pouvez écrire"
    )]
    ReadOnly,
    #[error("erreur SQLite : {0}")]
    Sql(rusqlite::Error),
    #[error("le dossier contient une donnée illisible : {0}")]
    Corrompu(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => StoreError::DiskFull,
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ReadOnly => StoreError::ReadOnly,
            _ => StoreError::Sql(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Dossier {
    pub conn: Connection,
    pub path: PathBuf,
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

fn map_open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked | rusqlite::ErrorCode::ReadOnly
            ) =>
        {
            StoreError::Busy { path: path.display().to_string() }
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            StoreError::NotADossier { path: path.display().to_string(), source: e }
        }
        other => StoreError::from(other),
    }
}

impl Dossier {
    /// Opens a dossier, creating it when `create` and it does not exist; migrates it forward.
    pub fn open(path: &Path, create: bool) -> Result<Self> {
        if !create && !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let flags = if create {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| map_open_error(path, e))?;
        conn.busy_timeout(std::time::Duration::from_millis(2000))?;
        tune(&conn);
        let mut d = Dossier { conn, path: path.to_path_buf() };
        d.migrate().map_err(|e| match e {
            StoreError::Sql(s) => map_open_error(path, s),
            other => other,
        })?;
        Ok(d)
    }

    /// Opens an existing dossier read-only (views, reports, exports).
    pub fn open_read_only(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        // A journal left by an interrupted import: rolling it back needs write access once.
        let journal = PathBuf::from(format!("{}-journal", path.display()));
        if std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0) {
            let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
                .map_err(|e| map_open_error(path, e))?;
            conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
                .map_err(|e| map_open_error(path, e))?;
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| map_open_error(path, e))?;
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| StoreError::NotADossier { path: path.display().to_string(), source: e })?;
        if v > schema::VERSION {
            return Err(StoreError::TooNew { path: path.display().to_string(), found: v, supported: schema::VERSION });
        }
        if v < schema::VERSION {
            drop(conn);
            return Self::open(path, false);
        }
        tune(&conn);
        Ok(Dossier { conn, path: path.to_path_buf() })
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
        let tx = self.conn.transaction()?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(v as usize) {
            tx.execute_batch(sql)?;
            if i == 0 || i == 2 {
                seed(&tx)?;
            }
        }
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
             WHERE motif IN ('reservataire_inconnu', 'commune_inconnue', 'typologie_inconnue', 'financement_inconnu')",
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
                params![champ, key(libelle)],
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
                params![a.champ, key(&a.libelle), valeur, origine],
            )?,
            None => tx.execute(
                "DELETE FROM correspondances WHERE champ = ?1 AND cle = ?2",
                params![a.champ, key(&a.libelle)],
            )?,
        };
        tx.commit()?;
        Ok(())
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

    /// Makes an import's version of its bailleurs' dwellings the active one again.
    pub fn restore(&mut self, import_id: i64) -> Result<Vec<String>> {
        let tx = self.conn.transaction()?;
        let bailleurs: Vec<String> = {
            let mut st = tx.prepare("SELECT bailleur FROM import_bailleurs WHERE import_id = ?1")?;
            st.query_map([import_id], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        if bailleurs.is_empty() {
            return Err(StoreError::UnknownImport(import_id));
        }
        for b in &bailleurs {
            tx.execute("UPDATE import_bailleurs SET actif = 0 WHERE bailleur = ?1", [b])?;
            tx.execute(
                "UPDATE import_bailleurs SET actif = 1 WHERE bailleur = ?1 AND import_id = ?2",
                params![b, import_id],
            )?;
        }
        tx.commit()?;
        Ok(bailleurs)
    }

    /// Withdraws an import: its bailleurs no longer count (the history keeps it).
    pub fn deactivate(&mut self, import_id: i64) -> Result<()> {
        let n = self.conn.execute("UPDATE import_bailleurs SET actif = 0 WHERE import_id = ?1", [import_id])?;
        if n == 0 {
            return Err(StoreError::UnknownImport(import_id));
        }
        Ok(())
    }
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
        Ok(Self { tx, now: now_iso(), index_dropped: std::cell::Cell::new(false) })
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
        self.tx.execute(
            "INSERT INTO imports(fichier, chemin, sha256, date_import, colonnes) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![fichier, chemin, sha256, self.now, colonnes],
        )?;
        Ok(self.tx.last_insert_rowid())
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
