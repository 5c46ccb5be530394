//! One import invocation: every file is read and planned first, then everything is written
//! in one SQLite transaction, so a bad file leaves the dossier exactly as it was.

use super::read::{RowBatch, SheetData, read_sheets_shared, stream_rest};
use super::{
    Context, Dedup, DedupAction, Motif, RowOutcome, RowReader, SheetPlan, bailleur_from_file_name, plan_sheets,
    read_rows,
};
use crate::model::Date;
use crate::reference::Territoire;
use crate::store::{Dossier, ImportWriter, LogementInsert, StoreError};
use crate::text::{FastMap, key};
use calamine::Data;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel};

pub use crate::model::{Progress, Silent};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{fichier} : {raison}")]
    File { fichier: String, raison: String },
    #[error(
        "{0} : aucune feuille n'a d'en-tête reconnaissable (il faut au moins la référence du logement, le réservataire et la commune, ou des feuilles nommées d'après les communes) : ce fichier n'est pas un état des lieux des réservations"
    )]
    NoHeader(String),
    #[error("{0} : impossible de déterminer le bailleur (ni colonne « Bailleur », ni nom de fichier parlant)")]
    NoBailleur(String),
    #[error(transparent)]
    Territoire(#[from] crate::reference::TerritoireInconnu),
    #[error("date de référence invalide « {0} » : attendu AAAA-MM-JJ, par exemple 2024-01-01")]
    DateReference(String),
    #[error("import annulé : le dossier n'a pas été modifié")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub bailleur: Option<String>,
    pub territoire: Option<String>,
    pub date_reference: Option<String>,
}

/// What one file gave.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    pub import_id: i64,
    pub fichier: String,
    pub bailleurs: Vec<String>,
    pub feuilles: Vec<SheetPlan>,
    pub lignes_lues: usize,
    pub logements: usize,
    pub rejets: BTreeMap<Motif, usize>,
    pub conflits: usize,
    pub doublons: usize,
    pub echus: usize,
    /// Rows whose réservataire was a collectivité without a name, presumed to be the row's
    /// own, by label (« Ville » → 12): for the user to check.
    pub presomptions: BTreeMap<String, usize>,
}

/// A file read and planned, ready to be written.
pub struct PreparedFile {
    pub path: PathBuf,
    pub fichier: String,
    pub sha256: String,
    pub sheets: Vec<SheetData>,
    pub plans: Vec<SheetPlan>,
    pub bailleur: String,
    /// The bailleur was guessed from the file name (« EDL_Var_Habitat.xlsx »): a guess to
    /// confirm, never a fact (a file named « Unicode.csv » is no bailleur).
    pub devine: bool,
    /// The rows name their bailleur: `bailleur` is only the default.
    pub colonne_bailleur: bool,
}

/// Reads and plans one file; refuses it when it is not an état des lieux.
pub fn prepare_file(path: &Path, bailleur: Option<&str>) -> Result<PreparedFile, ImportError> {
    let fichier =
        path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| ImportError::File {
        fichier: path.display().to_string(),
        raison: format!("lecture impossible ({e}) : vérifiez le chemin et les droits"),
    })?;
    let bytes = Arc::new(bytes);
    // The digest is computed while the workbook is opened.
    let (sha256, sheets) = std::thread::scope(|scope| {
        let digest = scope.spawn(|| crate::sha256::hex_digest(&bytes));
        let sheets = read_sheets_shared(bytes.clone());
        (digest.join().unwrap_or_default(), sheets)
    });
    let sheets = sheets.map_err(|e| ImportError::File { fichier: fichier.clone(), raison: e.0 })?;
    let plans = plan_sheets(&sheets);
    if plans.is_empty() {
        // A text file named like a workbook: say so, the usual message would mislead.
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        let classeur = bytes.starts_with(b"PK") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        if ["xlsx", "xlsm", "xlsb", "xls", "ods"].contains(&ext.as_str()) && !classeur {
            return Err(ImportError::File {
                fichier,
                raison: format!(
                    "le fichier porte l'extension .{ext} mais ce n'est pas un classeur (c'est du texte), et aucune ligne d'en-tête d'état des lieux n'y est reconnaissable : demandez au bailleur le fichier d'origine, ou ouvrez celui-ci dans un tableur et enregistrez-le au format Excel"
                ),
            });
        }
        return Err(ImportError::NoHeader(fichier));
    }
    let has_bailleur_column = plans.iter().any(|p| p.header.column(super::header::Field::Bailleur).is_some());
    let (bailleur, devine) = match bailleur.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => (b.to_string(), false),
        None => match bailleur_from_file_name(&fichier) {
            Some(b) => (b, true),
            None if has_bailleur_column => (String::new(), false),
            None => return Err(ImportError::NoBailleur(fichier)),
        },
    };
    Ok(PreparedFile {
        path: path.to_path_buf(),
        sha256,
        fichier,
        sheets,
        plans,
        bailleur,
        devine,
        colonne_bailleur: has_bailleur_column,
    })
}

/// Imports files into a dossier in one transaction.
pub fn import_files(
    dossier: &mut Dossier,
    files: &[PathBuf],
    opts: &ImportOptions,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Vec<FileSummary>, ImportError> {
    // The reference data and label indexes are built on another thread while the first file
    // is read (they cost as much as reading a file of 10 000 rows).
    let warm = std::thread::spawn(super::normalize::warm_up);
    let mut files_left = files.iter();
    let first = files_left.next().map(|f| {
        progress.update(0.0, &format!("Lecture de {}", f.display()));
        prepare_file(f, opts.bailleur.as_deref())
    });
    let _ = warm.join();
    let territoire = match &opts.territoire {
        Some(t) => Territoire::parse(t)?,
        None => dossier.territoire(),
    };
    let date_reference = match &opts.date_reference {
        Some(d) => Date::parse_iso(d).ok_or_else(|| ImportError::DateReference(d.clone()))?,
        None => dossier.date_reference(),
    };
    // Files are read one at a time inside the transaction: a bad file rolls everything back,
    // and only one file is ever held in memory.
    let prepared = first.into_iter().chain(files_left.map(|f| {
        progress.update(0.0, &format!("Lecture de {}", f.display()));
        prepare_file(f, opts.bailleur.as_deref())
    }));
    write_files(dossier, prepared, files.len(), &territoire, date_reference, progress, cancel)
}

/// Writes prepared files in one transaction (the window prepares, lets the user adjust
/// the plans, then calls this).
pub fn write_prepared(
    dossier: &mut Dossier,
    prepared: Vec<PreparedFile>,
    territoire: &Territoire,
    date_reference: Date,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Vec<FileSummary>, ImportError> {
    let n = prepared.len();
    write_files(dossier, prepared.into_iter().map(Ok), n, territoire, date_reference, progress, cancel)
}

fn write_files(
    dossier: &mut Dossier,
    prepared: impl Iterator<Item = Result<PreparedFile, ImportError>>,
    n_files: usize,
    territoire: &Territoire,
    date_reference: Date,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Vec<FileSummary>, ImportError> {
    let mut ctx = Context::du_dossier(dossier, territoire.clone())?;
    let w = ImportWriter::begin(dossier)?;
    let mut insert = w.logement_insert()?;
    w.set_parametre("territoire", &territoire.code())?;
    w.set_parametre("date_reference", &date_reference.to_string())?;
    let mut bailleurs = Bailleurs::new(w.bailleurs()?);
    let mut dedup = Dedup::default();
    let mut summaries = Vec::new();
    let mut first_import = None;
    let mut flushed_conflicts = 0;
    for (file_index, p) in prepared.enumerate() {
        let p = p?;
        if cancel.load(Ordering::Relaxed) {
            return Err(ImportError::Cancelled);
        }
        let file_rows = p.plans.iter().map(|pl| sheet_rows(&p, pl)).sum::<usize>().max(1);
        let mut done_rows = 0usize;
        let import_id = w.new_import(
            &p.fichier,
            &p.path.display().to_string(),
            &p.sha256,
            &serde_json::to_string(&p.plans).unwrap_or_default(),
        )?;
        let first = *first_import.get_or_insert(import_id);
        let mut bailleur_defaut = p.bailleur.clone();
        bailleurs.respell(&mut bailleur_defaut);
        bailleurs.in_file.clear();
        let mut s = FileSummary {
            import_id,
            fichier: p.fichier.clone(),
            bailleurs: vec![],
            feuilles: p.plans.clone(),
            lignes_lues: 0,
            logements: 0,
            rejets: BTreeMap::new(),
            conflits: 0,
            doublons: 0,
            echus: 0,
            presomptions: BTreeMap::new(),
        };
        dedup.begin_file(file_rows);
        w.expect_rows(file_rows)?;
        let doublons_before = dedup.doublons;
        let kept_before = dedup.len();
        for plan in &p.plans {
            let sheet = p.sheets.iter().find(|sh| sh.name == plan.feuille).expect("planned sheet exists");
            let mut read = 0usize;
            let stop = AtomicBool::new(false);
            let mut failure: Option<ImportError> = None;
            let rows = RowReader::new(plan, &bailleur_defaut);
            // Called for each row; false stops the sheet (cancelled or failed).
            let mut on_row = |ligne: u32, row: &[Data]| -> bool {
                let Some(o) = rows.read(ligne, row, &mut ctx) else { return true };
                read += 1;
                if read.is_multiple_of(20_000) {
                    if cancel.load(Ordering::Relaxed) {
                        failure = Some(ImportError::Cancelled);
                        stop.store(true, Ordering::Relaxed);
                        return false;
                    }
                    progress.update(
                        0.95 * (file_index as f32 + ((done_rows + read) as f32 / file_rows as f32).min(1.0))
                            / n_files.max(1) as f32,
                        &format!("{} : {} lignes", p.fichier, done_rows + read),
                    );
                }
                if let Err(e) = write_outcome(&w, &mut insert, &mut dedup, &mut s, import_id, o, &mut bailleurs) {
                    failure = Some(e.into());
                    stop.store(true, Ordering::Relaxed);
                    return false;
                }
                true
            };
            // Two stages: the rest of a large sheet is streamed from the workbook on its own
            // thread while this one normalises, de-duplicates and writes. Batches go back to
            // the streaming thread to be refilled.
            let streamed = std::thread::scope(|scope| {
                let (row_tx, row_rx) = sync_channel::<RowBatch>(8);
                let (back_tx, back_rx) = channel::<RowBatch>();
                let reader = match &sheet.rest {
                    Some(rest) => {
                        let wb = &rest.workbook;
                        let from_row = sheet.range.end().map(|(r, _)| r + 1).unwrap_or(0);
                        let name = sheet.name.clone().unwrap_or_default();
                        let stop = &stop;
                        Some(scope.spawn(move || {
                            stream_rest(
                                wb,
                                &name,
                                from_row,
                                || back_rx.try_recv().ok(),
                                |b| !stop.load(Ordering::Relaxed) && row_tx.send(b).is_ok(),
                            )
                        }))
                    }
                    None => {
                        drop(row_tx);
                        None
                    }
                };
                let mut go_on = sheet.data_rows(plan.header.data_start()).all(|(l, r)| on_row(l, r));
                while go_on && let Ok(batch) = row_rx.recv() {
                    go_on = batch.iter().all(|(l, r)| on_row(*l, r));
                    let _ = back_tx.send(batch);
                }
                drop(row_rx);
                // A reading thread that died must not pass for the end of the sheet.
                reader.map(|r| {
                    r.join().unwrap_or_else(|_| {
                        Err(super::read::ReadError(
                            "lecture interrompue par une erreur interne : le fichier n'a pas été importé, signalez-le avec ce fichier".into(),
                        ))
                    })
                })
            });
            if let Some(Err(e)) = streamed {
                return Err(ImportError::File { fichier: p.fichier.clone(), raison: e.0 });
            }
            if let Some(e) = failure {
                return Err(e);
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Cancelled);
            }
            s.lignes_lues += read;
            done_rows += sheet_rows(&p, plan);
        }
        for c in &dedup.conflits[flushed_conflicts..] {
            w.insert_conflit(import_id, c)?;
        }
        s.conflits = dedup.conflits.len() - flushed_conflicts;
        flushed_conflicts = dedup.conflits.len();
        s.doublons = dedup.doublons - doublons_before;
        s.logements = dedup.len() - kept_before;
        if s.bailleurs.is_empty() && !bailleur_defaut.is_empty() {
            s.bailleurs.push(bailleur_defaut.clone());
        }
        s.echus = dedup.echus(date_reference);
        debug_assert_eq!(s.echus, w.count_echus(import_id, date_reference)?, "extinct rights counted in memory");
        let rejets: usize = s.rejets.values().sum();
        w.finish_import(import_id, first, &s.bailleurs, [s.lignes_lues, s.logements, rejets, s.conflits, s.doublons])?;
        summaries.push(s);
    }
    progress.update(0.97, "Enregistrement du dossier");
    if cancel.load(Ordering::Relaxed) {
        return Err(ImportError::Cancelled);
    }
    drop(insert);
    w.commit()?;
    progress.update(1.0, "Import terminé");
    Ok(summaries)
}

fn write_outcome(
    w: &ImportWriter,
    insert: &mut LogementInsert,
    dedup: &mut Dedup,
    s: &mut FileSummary,
    import_id: i64,
    o: RowOutcome,
    bailleurs: &mut Bailleurs,
) -> Result<(), StoreError> {
    match o {
        RowOutcome::Rejet(mut r) => {
            bailleurs.respell(&mut r.bailleur);
            bailleurs.note(&mut s.bailleurs, &r.bailleur);
            *s.rejets.entry(r.motif).or_default() += 1;
            w.insert_rejet(import_id, &r)
        }
        RowOutcome::Logement(mut l) => {
            if l.presume {
                *s.presomptions.entry(l.reservataire_brut.clone()).or_default() += 1;
            }
            bailleurs.respell(&mut l.logement.bailleur);
            bailleurs.note(&mut s.bailleurs, &l.logement.bailleur);
            match dedup.check(&l.logement) {
                DedupAction::Skip => Ok(()),
                DedupAction::Insert => insert.insert(import_id, &l).map(|slot| dedup.kept(&l.logement, slot)),
                DedupAction::Replace(slot) => w
                    .delete_logement(slot)
                    .and_then(|_| insert.insert(import_id, &l))
                    .map(|slot| dedup.kept(&l.logement, slot)),
            }
        }
    }
}

fn sheet_rows(p: &PreparedFile, plan: &SheetPlan) -> usize {
    p.sheets
        .iter()
        .find(|s| s.name == plan.feuille)
        .map(|s| {
            let height = match (&s.rest, s.range.start()) {
                (Some(rest), Some((first, _))) => (rest.last_row + 1).saturating_sub(first) as usize,
                _ => s.range.height(),
            };
            height.saturating_sub(plan.header.data_start())
        })
        .unwrap_or(0)
}

/// Bailleur names: spelled as the dossier already spells them, and those met in the file
/// being imported (in order of appearance). A file may name hundreds of bailleurs, row after
/// row: both answers are one hash lookup.
struct Bailleurs {
    /// (key, spelling) of the bailleurs already in the dossier.
    known: Vec<(String, String)>,
    /// Name as read → the dossier's spelling when it differs.
    spellings: FastMap<String, Option<String>>,
    in_file: FastMap<String, ()>,
}

impl Bailleurs {
    fn new(known: Vec<String>) -> Self {
        let known = known.into_iter().map(|b| (key(&b), b)).collect();
        Bailleurs { known, spellings: FastMap::default(), in_file: FastMap::default() }
    }

    fn respell(&mut self, b: &mut String) {
        let spelling = match self.spellings.get(b.as_str()) {
            Some(s) => s,
            None => {
                let k = key(b);
                let s = self.known.iter().find(|(kk, _)| *kk == k).map(|(_, s)| s).filter(|s| *s != b).cloned();
                self.spellings.entry(b.clone()).or_insert(s)
            }
        };
        if let Some(s) = spelling {
            b.clone_from(s);
        }
    }

    fn note(&mut self, list: &mut Vec<String>, b: &str) {
        if !self.in_file.contains_key(b) {
            self.in_file.insert(b.to_string(), ());
            list.push(b.to_string());
        }
    }
}

/// Applies the dossier's label mappings to the rows kept aside, without re-reading any file:
/// each rejected row is normalised again from the raw cells kept in the dossier and the
/// column mapping recorded with its import. Returns how many rows became dwellings.
pub fn reapply_mappings(dossier: &mut Dossier) -> Result<usize, ImportError> {
    let mut ctx = Context::du_dossier(dossier, dossier.territoire())?;
    type Pending = (i64, i64, String, Option<String>, u32, String, String);
    let pending: Vec<Pending> = {
        let mut st = dossier
            .conn
            .prepare(
                "SELECT r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.brut, i.colonnes FROM rejets r
             JOIN imports i ON i.id = r.import_id
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
             WHERE r.motif IN ('reservataire_inconnu', 'commune_inconnue', 'typologie_inconnue', 'financement_inconnu')
             ORDER BY r.id",
            )
            .map_err(StoreError::from)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            .map_err(StoreError::from)?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)?
    };
    let w = ImportWriter::begin(dossier)?;
    let mut resolved = 0;
    for (rejet_id, import_id, bailleur, feuille, ligne, brut, colonnes) in pending {
        let plans: Vec<SheetPlan> = serde_json::from_str(&colonnes).unwrap_or_default();
        let Some(plan) = plans.iter().find(|p| p.feuille == feuille) else { continue };
        let row: Vec<Data> =
            brut.split('\t').map(|s| if s.is_empty() { Data::Empty } else { Data::String(s.to_string()) }).collect();
        let mut outcome = None;
        read_rows(std::iter::once((ligne, row)), plan, &bailleur, &mut ctx, |o| {
            outcome = Some(o);
            true
        });
        match outcome {
            Some(RowOutcome::Logement(l)) => {
                if !w.has_active_logement(&l.logement.bailleur, &l.logement.reference)? {
                    w.insert_logement(import_id, &l)?;
                }
                w.delete_rejet(rejet_id)?;
                resolved += 1;
            }
            Some(RowOutcome::Rejet(r)) => w.update_rejet(rejet_id, r.motif, &r.valeur)?,
            None => {}
        }
    }
    w.commit()?;
    Ok(resolved)
}
