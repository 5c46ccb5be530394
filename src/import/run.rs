//! One import invocation: every file is read and planned first, then everything is written
//! in one SQLite transaction, so a bad file leaves the dossier exactly as it was.

use super::read::{RowBatch, SheetData, read_sheets_shared, stream_rest};
use super::{
    Context, Dedup, DedupAction, Motif, RowOutcome, RowReader, SheetPlan, bailleur_from_file_name, plan_sheets,
};
use crate::model::Date;
use crate::reference::Territoire;
use crate::store::{Dossier, ImportWriter, LogementInsert, LogementsAEcrire, PlanDeFeuille, RejetARelire, StoreError};
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
        "{fichier} : aucune feuille n'a d'en-tête reconnaissable (il faut au moins la référence du logement, le réservataire et la commune, ou des feuilles nommées d'après les communes) : ce fichier n'est pas un état des lieux des réservations. Dans ce fichier : {constat}"
    )]
    NoHeader { fichier: String, constat: String },
    #[error("{0} : impossible de déterminer le bailleur (ni colonne « Bailleur », ni nom de fichier parlant)")]
    NoBailleur(String),
    #[error(transparent)]
    Territoire(#[from] crate::reference::TerritoireInconnu),
    #[error("date de référence invalide « {0} » : attendu AAAA-MM-JJ, par exemple 2024-01-01")]
    DateReference(String),
    #[error("import annulé : le dossier n'a pas été modifié")]
    Cancelled,
    /// The files would leave bailleurs with less than half of their dwellings: nothing written.
    #[error("{0}")]
    Perte(crate::model::Pertes),
    /// `--territoire` names another territory than the dossier's: nothing written.
    #[error(
        "le dossier couvre {} ; cet import demande {} : rien n'a été importé (changer le territoire d'un dossier est une action à part, qui dit quels logements en sortent)",
        nom_territoire(.dossier), nom_territoire(.demande)
    )]
    TerritoireDifferent { dossier: Territoire, demande: Territoire },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// « CA de Sophia Antipolis (240600585) », « la France entière ».
pub fn nom_territoire(t: &Territoire) -> String {
    match t {
        Territoire::Tout => "la France entière (aucun territoire)".into(),
        Territoire::Epci(c) => format!("{} ({c})", t.label()),
        Territoire::Departement(c) => format!("le département {} ({c})", t.label()),
    }
}

/// The territory as `--territoire` and `territoire --changer` write it.
pub fn code_territoire(t: &Territoire) -> String {
    match t {
        Territoire::Tout => "tout".into(),
        other => other.code(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub bailleur: Option<String>,
    pub territoire: Option<String>,
    pub date_reference: Option<String>,
    /// Accepts that a bailleur keeps less than half of its dwellings (see [`ImportError::Perte`]).
    pub accepter_perte: bool,
}

/// How prepared files are written (the window's import): the dossier's territory and
/// reference date, and whether a loss is accepted.
#[derive(Debug, Clone)]
pub struct Ecriture {
    pub territoire: Territoire,
    pub date_reference: Date,
    pub accepter_perte: bool,
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
    /// The file was not read: it is identical (same SHA-256) to this import, already active
    /// or given earlier in the same call (« fichier identique, ignoré »).
    pub identique: Option<i64>,
    /// Hidden sheets with a header of dwellings, read or not: said, never passed over in silence.
    pub feuilles_masquees: Vec<FeuilleMasquee>,
    /// The earlier imports this one replaces, per bailleur, and what the replacement does (on
    /// the last file of the call that holds the bailleur).
    pub remplacements: Vec<Remplacement>,
}

/// What an import does to a bailleur the dossier already held: its earlier active imports are
/// replaced, dwellings compared by reference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Remplacement {
    pub bailleur: String,
    /// Whether the file names several bailleurs (the phrase then names this one).
    pub nomme: bool,
    /// The imports replaced (their dwellings were the bailleur's active ones).
    pub imports: Vec<i64>,
    /// The bailleur's active dwellings before, and after this import.
    pub avant: u64,
    pub apres: u64,
    /// Dwellings before whose reference is no dwelling of this import…
    pub sortants: u64,
    /// … of which set aside by this import (their row is there, unreadable as a dwelling).
    pub mis_de_cote: u64,
    /// Dwellings of this import whose reference was not the bailleur's before.
    pub nouveaux: u64,
    /// The first references that left, in the order of the replaced import.
    pub exemples: Vec<String>,
    /// How many files of the call hold the bailleur (« ce fichier » / « ces fichiers »).
    pub fichiers: usize,
}

/// References that left shown in the summary (the replaced import keeps them all).
const EXEMPLES: usize = 10;

impl Remplacement {
    /// « remplace l'import n° 1 : 1 789 → 1 076 logements ; 713 ne sont plus dans ce fichier,
    /// 0 nouveaux ».
    pub fn phrase(&self) -> String {
        use crate::format::{entier, logements};
        let imports = match self.imports.as_slice() {
            [n] => format!("l'import n° {n}"),
            ids => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                let (fin, debut) = ids.split_last().expect("at least one import replaced");
                format!("les imports n° {} et {fin}", debut.join(", "))
            }
        };
        let pour = if self.nomme { format!(" pour {}", self.bailleur) } else { String::new() };
        let ou = if self.fichiers > 1 { "ces fichiers" } else { "ce fichier" };
        let absents = self.sortants - self.mis_de_cote;
        // « 0 nouveaux », « 1 nouveau »: the singular for one only.
        let absents = if absents == 1 {
            format!("1 n'est plus dans {ou}")
        } else {
            format!("{} ne sont plus dans {ou}", entier(absents))
        };
        let de_cote = match self.mis_de_cote {
            0 => String::new(),
            1 => ", 1 y est mis de côté (voir les lignes mises de côté)".to_string(),
            n => format!(", {} y sont mis de côté (voir les lignes mises de côté)", entier(n)),
        };
        let nouveaux =
            if self.nouveaux == 1 { "1 nouveau".to_string() } else { format!("{} nouveaux", entier(self.nouveaux)) };
        format!(
            "remplace {imports}{pour} : {} → {} ; {absents}{de_cote}, {nouveaux}",
            entier(self.avant),
            logements(self.apres)
        )
    }

    /// The first references that left and where the others are: « sortis : 0040002, 0040005…
    /// (10 premiers sur 713) ; l'import n° 1 reste dans l'historique et peut être rétabli ».
    /// None when none left.
    pub fn sortis(&self) -> Option<String> {
        if self.sortants == 0 {
            return None;
        }
        let liste = self.exemples.join(", ");
        let combien = if (self.exemples.len() as u64) < self.sortants {
            format!(" ({} premiers sur {})", self.exemples.len(), crate::format::entier(self.sortants))
        } else {
            String::new()
        };
        let garde = match self.imports.as_slice() {
            [n] => format!("l'import n° {n} reste dans l'historique et peut être rétabli"),
            _ => "les imports remplacés restent dans l'historique et peuvent être rétablis".to_string(),
        };
        Some(format!("logements sortis : {liste}{combien} ; {garde}"))
    }
}

/// A hidden sheet with a header of dwellings: read (no visible sheet held any, or none of its
/// references is in the sheets read: it completes them), or not read (it repeats references of
/// the sheets read: a copy, perhaps stale), and its rows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeuilleMasquee {
    pub feuille: String,
    pub lignes: usize,
    pub lue: bool,
    /// Not read: how many of its references are in the sheets read.
    pub reprises: usize,
}

impl FeuilleMasquee {
    /// « feuille masquée « Données » lue : 1 117 lignes », or why it was not read and what to do.
    pub fn phrase(&self) -> String {
        let lignes = crate::format::pluriel(self.lignes as u64, "ligne", "lignes");
        if self.lue {
            return format!("feuille masquée « {} » lue : {lignes}", self.feuille);
        }
        let raison = match self.reprises {
            0 => "si elle complète les feuilles lues et n'en est pas une copie".to_string(),
            n => format!(
                "elle reprend {} des feuilles lues (une copie, peut-être ancienne) ; si elle doit être lue",
                crate::format::pluriel(n as u64, "référence", "références")
            ),
        };
        format!(
            "feuille masquée « {} » non lue ({lignes} sous son en-tête de logements) : {raison}, affichez-la dans le tableur et importez le fichier à nouveau",
            self.feuille
        )
    }
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
        return Err(ImportError::NoHeader { fichier, constat: super::plan::constat(&sheets) });
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
        Some(t) => {
            let t = Territoire::parse(t)?;
            verifier_territoire(dossier, &t)?;
            t
        }
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
    let e = Ecriture { territoire, date_reference, accepter_perte: opts.accepter_perte };
    write_files(dossier, prepared, files.len(), &e, progress, cancel)
}

/// A dossier covers one territory: once it holds an import, another one is refused (changing
/// it is [`super::changements::changer_territoire`]).
pub fn verifier_territoire(dossier: &Dossier, demande: &Territoire) -> Result<(), ImportError> {
    let actuel = dossier.territoire();
    if &actuel != demande && dossier.a_des_imports()? {
        return Err(ImportError::TerritoireDifferent { dossier: actuel, demande: demande.clone() });
    }
    Ok(())
}

/// Writes prepared files in one transaction (the window prepares, lets the user adjust
/// the plans, then calls this). A loss is refused ([`ImportError::Perte`]): see
/// [`write_prepared_with`] to accept it.
pub fn write_prepared(
    dossier: &mut Dossier,
    prepared: Vec<PreparedFile>,
    territoire: &Territoire,
    date_reference: Date,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Vec<FileSummary>, ImportError> {
    let e = Ecriture { territoire: territoire.clone(), date_reference, accepter_perte: false };
    write_prepared_with(dossier, prepared, &e, progress, cancel)
}

/// [`write_prepared`] with the loss accepted or not, and the territory checked against the
/// dossier's.
pub fn write_prepared_with(
    dossier: &mut Dossier,
    prepared: Vec<PreparedFile>,
    e: &Ecriture,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Vec<FileSummary>, ImportError> {
    verifier_territoire(dossier, &e.territoire)?;
    let n = prepared.len();
    write_files(dossier, prepared.into_iter().map(Ok), n, e, progress, cancel)
}

fn write_files(
    dossier: &mut Dossier,
    prepared: impl Iterator<Item = Result<PreparedFile, ImportError>>,
    n_files: usize,
    e: &Ecriture,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Vec<FileSummary>, ImportError> {
    let (territoire, date_reference) = (&e.territoire, e.date_reference);
    let mut ctx = Context::du_dossier(dossier, territoire.clone())?;
    let w = ImportWriter::begin(dossier)?;
    let mut insert = w.logement_insert()?;
    // Dwellings are numbered as they are normalised (see [`trier`]).
    let mut prochain = w.prochain_logement()?;
    w.set_parametre("territoire", &territoire.code())?;
    w.set_parametre("date_reference", &date_reference.to_string())?;
    let mut bailleurs = Bailleurs::new(w.bailleurs()?);
    let mut dedup = Dedup::default();
    let mut summaries = Vec::new();
    let mut first_import = None;
    let mut flushed_conflicts = 0;
    // Each bailleur met: its active dwellings before this import (for the loss check), and the
    // imports that held them (what this call replaces).
    let mut avant: BTreeMap<String, u64> = BTreeMap::new();
    let mut precedents: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    // The files read in this call, by SHA-256 (the same file twice is read once).
    let mut lus: FastMap<String, i64> = FastMap::default();
    for (file_index, p) in prepared.enumerate() {
        let p = p?;
        if cancel.load(Ordering::Relaxed) {
            return Err(ImportError::Cancelled);
        }
        let mut bailleur_defaut = p.bailleur.clone();
        bailleurs.respell(&mut bailleur_defaut);
        let identique = match lus.get(&p.sha256) {
            Some(id) => Some(*id),
            None => w.import_actif_identique(&p.sha256, (!p.colonne_bailleur).then_some(bailleur_defaut.as_str()))?,
        };
        if let Some(id) = identique {
            summaries.push(FileSummary {
                import_id: id,
                fichier: p.fichier.clone(),
                bailleurs: vec![],
                feuilles: vec![],
                lignes_lues: 0,
                logements: 0,
                rejets: BTreeMap::new(),
                conflits: 0,
                doublons: 0,
                echus: 0,
                presomptions: BTreeMap::new(),
                identique: Some(id),
                feuilles_masquees: vec![],
                remplacements: vec![],
            });
            continue;
        }
        let file_rows = p.plans.iter().map(|pl| sheet_rows(&p, pl)).sum::<usize>().max(1);
        let mut done_rows = 0usize;
        let import_id = w.new_import(
            &p.fichier,
            &p.path.display().to_string(),
            &p.sha256,
            &p.plans.iter().map(PlanDeFeuille::from).collect::<Vec<_>>(),
        )?;
        let first = *first_import.get_or_insert(import_id);
        lus.insert(p.sha256.clone(), import_id);
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
            identique: None,
            feuilles_masquees: super::plan::hidden_sheets_not_read(&p.sheets, &p.plans)
                .into_iter()
                .map(|(feuille, lignes, reprises)| FeuilleMasquee { feuille, lignes, lue: false, reprises })
                .collect(),
            remplacements: vec![],
        };
        dedup.begin_file(file_rows);
        w.expect_rows(file_rows)?;
        let doublons_before = dedup.doublons;
        let kept_before = dedup.len();
        for plan in &p.plans {
            let sheet = p.sheets.iter().find(|sh| sh.name == plan.feuille).expect("planned sheet exists");
            let stop = AtomicBool::new(false);
            // The reference of a row set aside, to tell a dwelling that left from one set aside.
            let colonne_reference = plan.header.column(super::header::Field::Reference);
            let rows = RowReader::new(plan, &bailleur_defaut).du_fichier(&p.fichier);
            // Three stages: the rest of a large sheet is streamed from the workbook on its own
            // thread; another normalises and de-duplicates its rows into what to write; this
            // one writes (the transaction stays on the thread that opened it). Batches go back
            // to the thread that filled them, to be refilled.
            let (streamed, normalised, written) = std::thread::scope(|scope| {
                let (row_tx, row_rx) = sync_channel::<RowBatch>(8);
                let (back_tx, back_rx) = channel::<RowBatch>();
                let (lot_tx, lot_rx) = sync_channel::<Lot>(8);
                let (vide_tx, vide_rx) = channel::<Ecrits>();
                let reader = match &sheet.rest {
                    Some(rest) => {
                        let wb = &rest.workbook;
                        let from_row = sheet.range.end().map(|(r, _)| r + 1).unwrap_or(0);
                        let name = sheet.name.clone().unwrap_or_default();
                        let remplissage = super::read::Remplissage::new(&sheet.fusions, from_row, &sheet.range);
                        let stop = &stop;
                        Some(scope.spawn(move || {
                            stream_rest(
                                wb,
                                &name,
                                from_row,
                                remplissage,
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
                let (ctx, dedup, s, bailleurs, prochain) =
                    (&mut ctx, &mut dedup, &mut s, &mut bailleurs, &mut prochain);
                let stop = &stop;
                let normaliser = scope.spawn(move || -> Result<usize, ImportError> {
                    let mut read = 0usize;
                    let mut lot = Ecrits::default();
                    let mut failure = None;
                    // Called for each row; false stops the sheet (cancelled, or the writer
                    // stopped).
                    let mut on_row = |ligne: u32, row: &[Data]| -> bool {
                        let Some(o) = rows.read(ligne, row, ctx) else { return true };
                        read += 1;
                        if read.is_multiple_of(20_000) && cancel.load(Ordering::Relaxed) {
                            failure = Some(ImportError::Cancelled);
                            stop.store(true, Ordering::Relaxed);
                            return false;
                        }
                        let reference = match &o {
                            RowOutcome::Rejet(_) => {
                                colonne_reference.and_then(|c| row.get(c)).map(super::cell_text).unwrap_or_default()
                            }
                            RowOutcome::Logement(_) => std::borrow::Cow::Borrowed(""),
                        };
                        trier(o, &reference, dedup, s, bailleurs, prochain, &mut lot);
                        if lot.len() >= LOT {
                            // What the writer wrote comes back to be freed here, by the thread
                            // that allocated it (freeing across threads costs more).
                            let vide = match vide_rx.try_recv() {
                                Ok(mut v) => {
                                    v.clear();
                                    v
                                }
                                Err(_) => Ecrits::default(),
                            };
                            if lot_tx.send(Lot { ecrits: std::mem::replace(&mut lot, vide), lus: read }).is_err() {
                                stop.store(true, Ordering::Relaxed);
                                return false;
                            }
                        }
                        true
                    };
                    let mut go_on = sheet.lignes(plan.header.data_start()).all(|(l, r)| on_row(l, &r));
                    while go_on && let Ok(batch) = row_rx.recv() {
                        go_on = batch.iter().all(|(l, r)| on_row(*l, r));
                        let _ = back_tx.send(batch);
                    }
                    drop(row_rx);
                    if let Some(e) = failure {
                        return Err(e);
                    }
                    if go_on && !lot.is_empty() {
                        let _ = lot_tx.send(Lot { ecrits: lot, lus: read });
                    }
                    Ok(read)
                });
                let mut written: Result<(), ImportError> = Ok(());
                let mut reported = 0usize;
                for Lot { ecrits, lus } in lot_rx.iter() {
                    if lus / 20_000 > reported / 20_000 {
                        reported = lus;
                        progress.update(
                            0.95 * (file_index as f32 + ((done_rows + lus) as f32 / file_rows as f32).min(1.0))
                                / n_files.max(1) as f32,
                            &format!("{} : {} lignes", p.fichier, done_rows + lus),
                        );
                    }
                    if let Err(e) = ecrire(&w, &mut insert, import_id, &ecrits) {
                        written = Err(e.into());
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    let _ = vide_tx.send(ecrits);
                }
                // The other stages stop when this one does (their channels close).
                drop(lot_rx);
                let normalised = normaliser.join().unwrap_or_else(|_| {
                    Err(ImportError::File {
                        fichier: p.fichier.clone(),
                        raison: "normalisation interrompue par une erreur interne : le fichier n'a pas été importé, signalez-le avec ce fichier".into(),
                    })
                });
                // A reading thread that died must not pass for the end of the sheet.
                let streamed = reader.map(|r| {
                    r.join().unwrap_or_else(|_| {
                        Err(super::read::ReadError(
                            "lecture interrompue par une erreur interne : le fichier n'a pas été importé, signalez-le avec ce fichier".into(),
                        ))
                    })
                });
                (streamed, normalised, written)
            });
            written?;
            if let Some(Err(e)) = streamed {
                return Err(ImportError::File { fichier: p.fichier.clone(), raison: e.0 });
            }
            let mut read = normalised?;
            if cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Cancelled);
            }
            // CSV lines broken by a quote, below the header: set aside, never swallowed.
            let entete = sheet.row_number(plan.header.row + plan.header.rows.saturating_sub(1));
            for (ligne, texte) in sheet.illisibles.iter().filter(|(l, _)| *l > entete) {
                read += 1;
                let r = crate::model::Rejet {
                    bailleur: bailleur_defaut.clone(),
                    source: crate::model::Source { feuille: plan.feuille.clone(), ligne: *ligne },
                    motif: Motif::LigneIllisible,
                    valeur: court(texte),
                    brut: texte.replace(['\t', '\r', '\n'], " "),
                };
                let mut lot = Ecrits::default();
                trier(RowOutcome::Rejet(r), "", &mut dedup, &mut s, &mut bailleurs, &mut prochain, &mut lot);
                ecrire(&w, &mut insert, import_id, &lot)?;
            }
            s.lignes_lues += read;
            if sheet.hidden {
                s.feuilles_masquees.push(FeuilleMasquee {
                    feuille: sheet.name.clone().unwrap_or_default(),
                    lignes: read,
                    lue: true,
                    reprises: 0,
                });
            }
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
        for b in &s.bailleurs {
            if !avant.contains_key(b) {
                avant.insert(b.clone(), w.logements_actifs_avant(b, first)?);
                precedents.insert(b.clone(), w.imports_actifs_avant(b, first)?);
            }
        }
        w.finish_import(import_id, first, &s.bailleurs, [s.lignes_lues, s.logements, rejets, s.conflits, s.doublons])?;
        summaries.push(s);
    }
    progress.update(0.97, "Enregistrement du dossier");
    if cancel.load(Ordering::Relaxed) {
        return Err(ImportError::Cancelled);
    }
    // Never shrink a bailleur silently: fewer than half of its dwellings, nothing is written.
    let pertes: Vec<crate::model::Perte> = avant
        .iter()
        .map(|(b, av)| crate::model::Perte { bailleur: b.clone(), avant: *av, apres: bailleurs.gardes(b) })
        .filter(|p| crate::model::Pertes::est_une_perte(p.avant, p.apres))
        .collect();
    if !pertes.is_empty() && !e.accepter_perte {
        let fichiers = summaries.iter().filter(|s| s.identique.is_none()).count();
        return Err(ImportError::Perte(crate::model::Pertes { pertes, registre: false, fichiers }));
    }
    // A file with a header and nothing under it, for a bailleur the dossier does not hold yet,
    // is no état des lieux (the bailleur would be recorded with 0 dwellings, the import
    // « réussi »): refused, nothing written. (Emptying a bailleur the dossier holds is the
    // loss above, accepted only on purpose.)
    let nouveau = |s: &FileSummary| s.bailleurs.iter().all(|b| avant.get(b).is_none_or(|n| *n == 0));
    if let Some(vide) = summaries.iter().find(|s| s.identique.is_none() && s.lignes_lues == 0 && nouveau(s)) {
        return Err(ImportError::File {
            fichier: vide.fichier.clone(),
            raison: "aucune ligne de logement sous l'en-tête : le fichier ne contient que ses titres ; rien n'a été importé — vérifiez que c'est le bon fichier (ou la bonne feuille) du bailleur".into(),
        });
    }
    remplacements(&w, &precedents, &avant, &dedup, &bailleurs, &mut summaries)?;
    drop(insert);
    crate::store::point_d_arret();
    w.commit()?;
    progress.update(1.0, "Import terminé");
    Ok(summaries)
}

/// What the call does to each bailleur the dossier held (see [`Remplacement`]), compared by
/// reference: the dwellings of the imports replaced read once, each looked up among those kept.
fn remplacements(
    w: &ImportWriter,
    precedents: &BTreeMap<String, Vec<i64>>,
    avant: &BTreeMap<String, u64>,
    dedup: &Dedup,
    bailleurs: &Bailleurs,
    summaries: &mut [FileSummary],
) -> Result<(), ImportError> {
    // (import, bailleur) replaced → the bailleur's counts: (still kept, left, set aside, examples).
    let mut comptes: BTreeMap<&str, (u64, u64, u64, Vec<String>)> = BTreeMap::new();
    let mut remplaces: FastMap<(i64, &str), ()> = FastMap::default();
    let mut imports: Vec<i64> = Vec::new();
    for (b, ids) in precedents.iter().filter(|(_, ids)| !ids.is_empty()) {
        comptes.insert(b, Default::default());
        for id in ids {
            remplaces.insert((*id, b.as_str()), ());
            imports.push(*id);
        }
    }
    imports.sort_unstable();
    imports.dedup();
    w.references_des_imports(&imports, |import, bailleur, reference| {
        if !remplaces.contains_key(&(import, bailleur)) {
            return;
        }
        let Some(c) = comptes.get_mut(bailleur) else { return };
        if dedup.contient(bailleur, reference) {
            c.0 += 1;
            return;
        }
        c.1 += 1;
        if bailleurs.mis_de_cote.contains_key(&cle_logement(bailleur, reference)) {
            c.2 += 1;
        }
        if c.3.len() < EXEMPLES {
            c.3.push(reference.to_string());
        }
    })?;
    for (b, (restants, sortants, mis_de_cote, exemples)) in comptes {
        let fichiers = summaries.iter().filter(|s| s.identique.is_none() && s.bailleurs.iter().any(|x| x == b)).count();
        let Some(s) = summaries.iter_mut().rev().find(|s| s.identique.is_none() && s.bailleurs.iter().any(|x| x == b))
        else {
            continue;
        };
        let apres = bailleurs.gardes(b);
        s.remplacements.push(Remplacement {
            bailleur: b.to_string(),
            nomme: s.bailleurs.len() > 1,
            imports: precedents[b].clone(),
            avant: avant.get(b).copied().unwrap_or(restants + sortants),
            apres,
            sortants,
            mis_de_cote,
            nouveaux: apres.saturating_sub(restants),
            exemples,
            fichiers,
        });
    }
    Ok(())
}

/// Rows per batch between the normalising and the writing threads.
const LOT: usize = 1024;

/// What a row gives to write, in order.
enum Ecrit {
    /// A dwelling of the batch's [`LogementsAEcrire`].
    Logement(usize),
    /// A dwelling of this import replaced by a newer row with other values.
    Supprimer(i64),
    Rejet(crate::model::Rejet),
}

/// What rows gave to write, in order.
#[derive(Default)]
struct Ecrits {
    liste: Vec<Ecrit>,
    logements: LogementsAEcrire,
}

impl Ecrits {
    fn len(&self) -> usize {
        self.liste.len()
    }

    fn is_empty(&self) -> bool {
        self.liste.is_empty()
    }

    fn clear(&mut self) {
        self.liste.clear();
        self.logements.clear();
    }
}

/// What the writing thread receives: what to write, and how many rows were read so far.
struct Lot {
    ecrits: Ecrits,
    lus: usize,
}

/// A row's outcome, de-duplicated and counted in the summary, as what to write. Dwellings are
/// numbered here, from `prochain` on (the number is the row's identity for the de-duplication).
/// `reference`: the reference of a row set aside, if it has one.
fn trier(
    o: RowOutcome,
    reference: &str,
    dedup: &mut Dedup,
    s: &mut FileSummary,
    bailleurs: &mut Bailleurs,
    prochain: &mut i64,
    lot: &mut Ecrits,
) {
    match o {
        RowOutcome::Rejet(mut r) => {
            bailleurs.respell(&mut r.bailleur);
            bailleurs.note(&mut s.bailleurs, &r.bailleur);
            if !reference.is_empty() {
                bailleurs.mis_de_cote.insert(cle_logement(&r.bailleur, reference), ());
            }
            *s.rejets.entry(r.motif).or_default() += 1;
            lot.liste.push(Ecrit::Rejet(r));
        }
        RowOutcome::Logement(mut l) => {
            if l.presume {
                match s.presomptions.get_mut(l.reservataire_brut.as_str()) {
                    Some(n) => *n += 1,
                    None => {
                        s.presomptions.insert(l.reservataire_brut.clone(), 1);
                    }
                }
            }
            bailleurs.respell(&mut l.logement.bailleur);
            bailleurs.note(&mut s.bailleurs, &l.logement.bailleur);
            let id = *prochain;
            match dedup.check(&l.logement) {
                DedupAction::Skip => return,
                DedupAction::Insert => bailleurs.garde(&l.logement.bailleur),
                DedupAction::Replace(slot) => lot.liste.push(Ecrit::Supprimer(slot)),
            }
            *prochain += 1;
            dedup.kept(&l.logement, id);
            // Copied into the batch: this row's own strings are freed here, at once.
            let i = lot.logements.ajouter(id, &l);
            lot.liste.push(Ecrit::Logement(i));
        }
    }
}

/// Writes what rows gave, in order: dwellings that follow one another together (several rows
/// per INSERT), each removal or rejet after the dwellings before it (a removed dwelling may be
/// one of them).
fn ecrire(w: &ImportWriter, insert: &mut LogementInsert, import_id: i64, ecrits: &Ecrits) -> Result<(), StoreError> {
    let mut suite = Vec::with_capacity(ecrits.len());
    for e in &ecrits.liste {
        if let Ecrit::Logement(i) = e {
            suite.push(*i);
            continue;
        }
        insert.inserer(import_id, &ecrits.logements, &suite)?;
        suite.clear();
        match e {
            Ecrit::Supprimer(id) => w.delete_logement(*id)?,
            Ecrit::Rejet(r) => w.insert_rejet(import_id, r)?,
            Ecrit::Logement(_) => {}
        }
    }
    insert.inserer(import_id, &ecrits.logements, &suite)
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
    /// Dwellings kept per bailleur in this call (after de-duplication).
    kept: FastMap<String, u64>,
    /// The rows set aside in this call, by [`cle_logement`] (those with a reference).
    mis_de_cote: FastMap<String, ()>,
}

/// `bailleur \0 reference`.
fn cle_logement(bailleur: &str, reference: &str) -> String {
    let mut k = String::with_capacity(bailleur.len() + 1 + reference.len());
    k.push_str(bailleur);
    k.push('\0');
    k.push_str(reference);
    k
}

impl Bailleurs {
    fn new(known: Vec<String>) -> Self {
        let known = known.into_iter().map(|b| (key(&b), b)).collect();
        Bailleurs {
            known,
            spellings: FastMap::default(),
            in_file: FastMap::default(),
            kept: FastMap::default(),
            mis_de_cote: FastMap::default(),
        }
    }

    fn garde(&mut self, b: &str) {
        match self.kept.get_mut(b) {
            Some(n) => *n += 1,
            None => {
                self.kept.insert(b.to_string(), 1);
            }
        }
    }

    fn gardes(&self, b: &str) -> u64 {
        self.kept.get(b).copied().unwrap_or(0)
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
    let pending = dossier.rejets_a_relire(crate::store::MOTIFS_A_RELIRE)?;
    let w = ImportWriter::begin(dossier)?;
    let mut resolved = 0;
    for x in pending {
        let (rejet_id, import_id) = (x.id, x.import_id);
        match relire(&x, &mut ctx) {
            Some(RowOutcome::Logement(l)) => {
                let nouveau = !w.has_active_logement(&l.logement.bailleur, &l.logement.reference)?;
                if nouveau {
                    w.insert_logement(import_id, &l)?;
                }
                w.delete_rejet(rejet_id)?;
                w.rejet_reintegre(import_id, nouveau)?;
                resolved += 1;
            }
            Some(RowOutcome::Rejet(r)) => w.update_rejet(rejet_id, r.motif, &r.valeur)?,
            None => {}
        }
    }
    w.commit()?;
    Ok(resolved)
}

/// A row set aside read again from its raw cells, through the plan of its sheet kept with its
/// import (none when that plan is unknown).
pub(super) fn relire(x: &RejetARelire, ctx: &mut Context) -> Option<RowOutcome> {
    let plan = SheetPlan::from(x.plan.clone()?);
    let row: Vec<Data> =
        x.brut.split('\t').map(|s| if s.is_empty() { Data::Empty } else { Data::String(s.to_string()) }).collect();
    RowReader::new(&plan, &x.bailleur).du_fichier(&x.fichier).read(x.ligne, &row, ctx)
}

/// A long text shown short in a rejet: its first 200 characters.
fn court(t: &str) -> String {
    if t.chars().count() <= 200 { t.to_string() } else { format!("{}…", t.chars().take(200).collect::<String>()) }
}
