//! The follow-up of the flux (domaine.md, « The follow-up of the flux »): the registers of
//! mises à disposition, the décompte of each convention, the bilans against the objectives of
//! the saved flux, and the orientation of a freed dwelling. The objectives come from the flux
//! engine ([`crate::flux::flux_enregistre`]): the same figures as the flux screen and the annex.

pub mod bilan;
pub mod calendrier;
pub mod orientation;
pub mod registre;

use crate::import::Context;
use crate::model::{Date, Financement, TypologieGrille};
use crate::reference::reference;
use crate::store::{Dossier, StoreError};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The step at which a convention counts its flux.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Etape {
    MiseADisposition,
    MiseADispositionValidee,
    PropositionCal,
    AttributionCal,
    BailSigne,
}

impl Etape {
    pub const ALL: [Etape; 5] = [
        Etape::MiseADisposition,
        Etape::MiseADispositionValidee,
        Etape::PropositionCal,
        Etape::AttributionCal,
        Etape::BailSigne,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Etape::MiseADisposition => "mise_a_disposition",
            Etape::MiseADispositionValidee => "mise_a_disposition_validee",
            Etape::PropositionCal => "proposition_cal",
            Etape::AttributionCal => "attribution_cal",
            Etape::BailSigne => "bail_signe",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Etape::MiseADisposition => "à la mise à disposition",
            Etape::MiseADispositionValidee => "à la mise à disposition validée par le réservataire",
            Etape::PropositionCal => "à l'examen des candidats en CALEOL",
            Etape::AttributionCal => "à l'attribution en CALEOL",
            Etape::BailSigne => "au bail signé",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Issue {
    BailSigne,
    Reprise,
    Reorientation,
    #[default]
    EnCours,
}

impl Issue {
    pub fn as_str(self) -> &'static str {
        match self {
            Issue::BailSigne => "bail_signe",
            Issue::Reprise => "reprise",
            Issue::Reorientation => "reorientation",
            Issue::EnCours => "en_cours",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Issue::BailSigne => "Bail signé",
            Issue::Reprise => "Repris par le bailleur",
            Issue::Reorientation => "Réorienté",
            Issue::EnCours => "En cours",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "bail_signe" => Issue::BailSigne,
            "reprise" => Issue::Reprise,
            "reorientation" => Issue::Reorientation,
            _ => Issue::EnCours,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionCal {
    Attribution,
    NonAttribution,
    Refus,
}

impl DecisionCal {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionCal::Attribution => "attribution",
            DecisionCal::NonAttribution => "non_attribution",
            DecisionCal::Refus => "refus",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [DecisionCal::Attribution, DecisionCal::NonAttribution, DecisionCal::Refus]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// The categories of libérations outside the flux: the one list of soustraits of the flux
/// (`interfaces.md`: the bilan's `hors_flux` keys are the flux's soustraits categories).
pub use crate::flux::Soustrait as HorsFlux;

/// The steps of a mise à disposition, dated: as a register row gives them and as the dossier
/// keeps them.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Etapes {
    pub date_liberation: Option<Date>,
    pub preavis: Option<u8>,
    pub date_mise_a_disposition: Option<Date>,
    pub date_validation: Option<Date>,
    pub candidats: Option<u32>,
    pub date_candidats: Option<Date>,
    pub date_cal: Option<Date>,
    pub decision_cal: Option<DecisionCal>,
    pub date_bail: Option<Date>,
    pub issue: Issue,
}

/// One mise à disposition of a freed dwelling (or a libération outside the flux).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MiseADisposition {
    pub id: i64,
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
    pub epci: String,
    pub typologie: TypologieGrille,
    pub financement: Financement,
    pub qpv: bool,
    pub annee_construction: Option<i32>,
    /// None for a libération outside the flux.
    pub reservataire: Option<String>,
    pub hors_flux: Option<HorsFlux>,
    /// Its steps, as the register or the window gave them.
    #[serde(flatten)]
    pub etapes: Etapes,
    /// Kept but flagged: a lease before the mise à disposition, a CALEOL without candidate...
    pub signalement: Option<String>,
}

impl MiseADisposition {
    /// The date at which this mise à disposition reached a step, if it did.
    pub fn date_etape(&self, e: Etape) -> Option<Date> {
        match e {
            Etape::MiseADisposition => self.etapes.date_mise_a_disposition,
            Etape::MiseADispositionValidee => self.etapes.date_validation.or(self.etapes.date_candidats),
            Etape::PropositionCal => self.etapes.date_cal,
            Etape::AttributionCal => {
                self.etapes.date_cal.filter(|_| self.etapes.decision_cal == Some(DecisionCal::Attribution))
            }
            Etape::BailSigne => self.etapes.date_bail,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SuiviError {
    #[error("{fichier} : {raison}")]
    Fichier { fichier: String, raison: String },
    #[error(
        "{0} : aucune feuille n'a d'en-tête de registre reconnaissable (il faut au moins la référence du logement et la date de mise à disposition ou du bail) : ce fichier n'est pas un registre des mises à disposition"
    )]
    PasUnRegistre(String),
    #[error(
        "{0} : le registre ne dit pas de quel bailleur il est (ni colonne « Bailleur », ni nom de fichier parlant)"
    )]
    SansBailleur(String),
    #[error("{0}")]
    Donnees(String),
    /// The register's bailleur is not one of the dossier's: its état des lieux comes first.
    #[error("{}", bailleur_inconnu(.bailleur, .proches))]
    BailleurInconnu { bailleur: String, proches: Vec<String> },
    /// The registers would leave bailleurs with less than half of their lines: nothing written.
    #[error("{0}")]
    Perte(crate::model::Pertes),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn bailleur_inconnu(b: &str, proches: &[String]) -> String {
    let mut m = format!("bailleur inconnu du dossier : « {b} »");
    if proches.is_empty() {
        m.push_str(" ; importez d'abord son état des lieux");
    } else {
        let noms: Vec<String> = proches.iter().map(|p| format!("« {p} »")).collect();
        m.push_str(&format!(" (les plus proches : {}) ; rien n'a été importé", noms.join(", ")));
    }
    m
}

impl From<rusqlite::Error> for SuiviError {
    fn from(e: rusqlite::Error) -> Self {
        SuiviError::Store(StoreError::from(e))
    }
}

pub type Result<T> = std::result::Result<T, SuiviError>;

/// What one register gave.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegistreImporte {
    pub import_id: i64,
    pub fichier: String,
    pub bailleur: String,
    pub lignes_lues: usize,
    pub mises_a_disposition: usize,
    pub hors_flux: usize,
    pub rejets: BTreeMap<String, usize>,
    pub signalements: usize,
    /// « Mairie » read as the commune of the row's dwelling, by label.
    pub presomptions: BTreeMap<String, usize>,
    /// The file was not read: it is identical (same SHA-256) to this register, already active
    /// or given earlier in the same call (« fichier identique, ignoré »).
    pub identique: Option<i64>,
}

/// How registers are imported.
#[derive(Debug, Clone, Default)]
pub struct OptionsRegistre {
    /// The bailleur of every file (else the « Bailleur » column, else the file's name).
    pub bailleur: Option<String>,
    /// The step the bailleur's conventions count at.
    pub decompte: Option<Etape>,
    /// Accepts that a bailleur's register keeps less than half of its lines.
    pub accepter_perte: bool,
}

/// A dwelling of the dossier as a register row needs it.
#[derive(Debug, Clone)]
struct LogementConnu {
    commune: String,
    epci: String,
    typologie: TypologieGrille,
    financement: Financement,
    qpv: bool,
    annee_construction: Option<i32>,
}

fn logements_du_bailleur(d: &Dossier, bailleur: &str) -> Result<HashMap<String, LogementConnu>> {
    let mut st = d.conn.prepare(
        "SELECT l.reference, l.commune, l.epci, l.typologie_grille, l.financement, l.qpv, l.annee_construction
         FROM import_bailleurs b CROSS JOIN logements l ON b.import_id = l.import_id AND b.bailleur = l.bailleur
         WHERE b.actif = 1 AND b.bailleur = ?1 AND l.bailleur = ?1",
    )?;
    let mut out = HashMap::new();
    let mut rows = st.query([bailleur])?;
    while let Some(r) = rows.next()? {
        out.insert(
            r.get::<_, String>(0)?,
            LogementConnu {
                commune: r.get(1)?,
                epci: r.get(2)?,
                typologie: TypologieGrille::parse(&r.get::<_, String>(3)?).unwrap_or(TypologieGrille::T1),
                financement: Financement::parse(&r.get::<_, String>(4)?).unwrap_or(Financement::Autre),
                qpv: r.get(5)?,
                annee_construction: r.get(6)?,
            },
        );
    }
    Ok(out)
}

/// The bailleurs of the dossier, spelled as the dossier spells them.
fn bailleurs_du_dossier(d: &Dossier) -> Result<Vec<String>> {
    let mut st = d.conn.prepare("SELECT DISTINCT bailleur FROM import_bailleurs WHERE actif = 1 ORDER BY 1")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Whether a file is a register of mises à disposition (rather than an état des lieux): its
/// header names a date of mise à disposition and at least one later step.
pub fn est_un_registre(path: &Path) -> bool {
    use registre::Champ;
    let Ok(bytes) = std::fs::read(path) else { return false };
    let Ok(sheets) = crate::import::read::read_sheets(&bytes) else { return false };
    sheets.iter().filter(|s| !s.hidden).filter_map(registre::entete).any(|e| {
        e.colonne(Champ::DateMiseADisposition).is_some()
            && [Champ::DateCal, Champ::DateBail, Champ::Candidats, Champ::Issue, Champ::DecisionCal, Champ::HorsFlux]
                .iter()
                .any(|c| e.colonne(*c).is_some())
    })
}

struct Prepare {
    chemin: PathBuf,
    fichier: String,
    sha256: String,
    bailleur: String,
    lignes: Vec<std::result::Result<registre::Ligne, registre::Rejet>>,
}

fn preparer(path: &Path, bailleur: Option<&str>, connus: &[String], import: Date) -> Result<Prepare> {
    let fichier = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let bytes = std::fs::read(path)
        .map_err(|e| SuiviError::Fichier { fichier: fichier.clone(), raison: format!("lecture impossible ({e})") })?;
    let sheets = crate::import::read::read_sheets(&bytes)
        .map_err(|e| SuiviError::Fichier { fichier: fichier.clone(), raison: e.0 })?;
    let mut lignes = Vec::new();
    let mut found = false;
    for s in sheets.iter().filter(|s| !s.hidden) {
        if let Some(e) = registre::entete(s) {
            found = true;
            lignes.extend(registre::lignes(s, &e, import));
        }
    }
    if !found {
        return Err(SuiviError::PasUnRegistre(fichier));
    }
    let by_key: HashMap<String, &String> = connus.iter().map(|b| (crate::text::key(b), b)).collect();
    // The bailleur the rows name most (the first met on a tie).
    let from_rows = {
        let mut n: Vec<(String, String, usize)> = Vec::new();
        for b in lignes.iter().filter_map(|l| l.as_ref().ok()).filter_map(|l| l.bailleur.as_ref()) {
            let k = crate::text::key(b);
            match n.iter_mut().find(|x| x.0 == k) {
                Some(x) => x.2 += 1,
                None => n.push((k, b.clone(), 1)),
            }
        }
        let max = n.iter().map(|x| x.2).max();
        n.into_iter().find(|x| Some(x.2) == max).map(|x| x.1)
    };
    let bailleur = bailleur
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_string)
        .or(from_rows)
        .or_else(|| crate::import::bailleur_from_file_name(&fichier))
        .ok_or_else(|| SuiviError::SansBailleur(fichier.clone()))?;
    let bailleur = match by_key.get(&crate::text::key(&bailleur)) {
        Some(b) => b.to_string(),
        None => {
            let proches = crate::store::noms_proches(&bailleur, connus, 3);
            return Err(SuiviError::BailleurInconnu { bailleur, proches });
        }
    };
    Ok(Prepare { chemin: path.to_path_buf(), sha256: crate::sha256::hex_digest(&bytes), fichier, bailleur, lignes })
}

const INSERT: &str = "INSERT INTO mises_a_disposition(import_id, bailleur, reference, commune, epci, typologie,
    financement, qpv, annee_construction, reservataire, reservataire_brut, hors_flux, date_liberation, preavis,
    date_mise_a_disposition, date_validation, candidats, date_candidats, date_cal, decision_cal, date_bail, issue,
    feuille, ligne, brut, signalement)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
            ?24, ?25, ?26)";

fn ds(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn insert(
    st: &mut rusqlite::Statement,
    import_id: Option<i64>,
    m: &MiseADisposition,
    src: (&Option<String>, u32, &str),
    brut_res: &str,
) -> Result<()> {
    st.execute(params![
        import_id,
        m.bailleur,
        m.reference,
        m.commune,
        m.epci,
        m.typologie.as_str(),
        m.financement.as_str(),
        m.qpv,
        m.annee_construction,
        m.reservataire,
        brut_res,
        m.hors_flux.map(|h| h.as_str()),
        ds(m.etapes.date_liberation),
        m.etapes.preavis,
        ds(m.etapes.date_mise_a_disposition),
        ds(m.etapes.date_validation),
        m.etapes.candidats,
        ds(m.etapes.date_candidats),
        ds(m.etapes.date_cal),
        m.etapes.decision_cal.map(|x| x.as_str()),
        ds(m.etapes.date_bail),
        m.etapes.issue.as_str(),
        src.0,
        src.1,
        src.2,
        m.signalement,
    ])?;
    Ok(())
}

/// Imports registers of mises à disposition in one transaction (see [`importer_avec`]), a
/// loss refused.
pub fn importer(
    d: &mut Dossier,
    fichiers: &[PathBuf],
    bailleur: Option<&str>,
    decompte: Option<Etape>,
) -> Result<Vec<RegistreImporte>> {
    let o = OptionsRegistre { bailleur: bailleur.map(str::to_string), decompte, accepter_perte: false };
    importer_avec(d, fichiers, &o)
}

/// Imports registers of mises à disposition in one transaction: a file that cannot be read
/// leaves the dossier as it was. Each register belongs to one bailleur of the dossier (given,
/// else named by its rows, else by its file name; unknown: refused with the nearest names);
/// its rows that name another bailleur are set aside (`bailleur_different`). A bailleur's new
/// register replaces its previous one (kept in the history, `restore` brings it back) —
/// unless it would keep less than half of its lines ([`SuiviError::Perte`]). A file identical
/// to the bailleur's active register, or given twice, is read once. `decompte` records the
/// step the bailleur's conventions count at.
pub fn importer_avec(d: &mut Dossier, fichiers: &[PathBuf], o: &OptionsRegistre) -> Result<Vec<RegistreImporte>> {
    let connus = bailleurs_du_dossier(d)?;
    let aujourd_hui = crate::store::now_iso()
        .get(..10)
        .and_then(Date::parse_iso)
        .unwrap_or_else(crate::store::default_date_reference);
    let prepared: Vec<Prepare> =
        fichiers.iter().map(|f| preparer(f, o.bailleur.as_deref(), &connus, aujourd_hui)).collect::<Result<_>>()?;
    let mut ctx = Context::du_dossier(d, d.territoire())?;
    let mut logements: HashMap<String, HashMap<String, LogementConnu>> = HashMap::new();
    for p in &prepared {
        if !logements.contains_key(&p.bailleur) {
            logements.insert(p.bailleur.clone(), logements_du_bailleur(d, &p.bailleur)?);
        }
    }
    let now = crate::store::now_iso();
    let tx = d
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| SuiviError::Store(StoreError::from(e)))?;
    // Each bailleur's register lines before this call (for the loss check), and what comes.
    let mut avant: BTreeMap<String, u64> = BTreeMap::new();
    let mut apres: BTreeMap<String, u64> = BTreeMap::new();
    let mut lus: HashMap<String, i64> = HashMap::new();
    let mut out = Vec::new();
    if let Some(e) = o.decompte {
        for b in prepared.iter().map(|p| &p.bailleur) {
            tx.execute(
                "INSERT INTO parametres(cle, valeur) VALUES (?1, ?2) ON CONFLICT(cle) DO UPDATE SET valeur = excluded.valeur",
                params![format!("decompte:{b}"), e.as_str()],
            )?;
        }
    }
    for p in prepared {
        let identique = match lus.get(&p.sha256) {
            Some(id) => Some(*id),
            None => tx
                .query_row(
                    "SELECT id FROM suivi_imports WHERE sha256 = ?1 AND bailleur = ?2 AND actif = 1 ORDER BY id DESC",
                    params![p.sha256, p.bailleur],
                    |r| r.get(0),
                )
                .optional()?,
        };
        if let Some(id) = identique {
            out.push(RegistreImporte {
                import_id: id,
                fichier: p.fichier.clone(),
                bailleur: p.bailleur.clone(),
                identique: Some(id),
                ..Default::default()
            });
            continue;
        }
        if !avant.contains_key(&p.bailleur) {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM mises_a_disposition m JOIN suivi_imports i ON i.id = m.import_id
                 WHERE i.actif = 1 AND i.bailleur = ?1",
                [&p.bailleur],
                |r| r.get(0),
            )?;
            avant.insert(p.bailleur.clone(), n as u64);
            // The bailleur's previous register: replaced (kept in the history).
            tx.execute("UPDATE suivi_imports SET actif = 0 WHERE bailleur = ?1", [&p.bailleur])?;
        }
        let import_id = crate::store::prochain_numero(&tx)?;
        lus.insert(p.sha256.clone(), import_id);
        tx.execute(
            "INSERT INTO suivi_imports(id, fichier, chemin, sha256, date_import, bailleur) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![import_id, p.fichier, p.chemin.display().to_string(), p.sha256, now, p.bailleur],
        )?;
        let mut s = RegistreImporte {
            import_id,
            fichier: p.fichier.clone(),
            bailleur: p.bailleur.clone(),
            lignes_lues: p.lignes.len(),
            ..Default::default()
        };
        let mut st = tx.prepare(INSERT)?;
        let mut rej = tx.prepare(
            "INSERT INTO suivi_rejets(import_id, bailleur, fichier, feuille, ligne, motif, valeur, brut)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let cle = crate::text::key(&p.bailleur);
        let connus = &logements[&p.bailleur];
        let mut vus: HashSet<(String, Option<Date>, String)> = HashSet::new();
        for l in p.lignes {
            let res = match l {
                Err(r) => Err(r),
                // A row of another bailleur never touches that bailleur's register.
                Ok(l) if l.bailleur.as_ref().is_some_and(|b| crate::text::key(b) != cle) => Err(registre::Rejet {
                    feuille: l.feuille.clone(),
                    ligne: l.ligne,
                    motif: "bailleur_different",
                    valeur: l.bailleur.clone().unwrap_or_default(),
                    brut: l.brut.clone(),
                }),
                Ok(l) => mise_a_disposition(&mut ctx, &p.bailleur, connus, &l).map(|(m, presume)| (l, m, presume)),
            };
            match res {
                Err(r) => {
                    *s.rejets.entry(r.motif.to_string()).or_default() += 1;
                    rej.execute(params![
                        import_id, p.bailleur, p.fichier, r.feuille, r.ligne, r.motif, r.valeur, r.brut
                    ])?;
                }
                Ok((l, mut m, presume)) => {
                    if presume {
                        *s.presomptions.entry(l.reservataire_brut.clone()).or_default() += 1;
                    }
                    // The same libération twice for the same réservataire: kept, flagged.
                    if let Some(r) = &m.reservataire {
                        let quand = m.etapes.date_liberation.or(m.etapes.date_mise_a_disposition);
                        if !vus.insert((m.reference.clone(), quand, r.clone())) {
                            m.signalement.get_or_insert_with(|| {
                                "la même libération mise deux fois à disposition du même réservataire".into()
                            });
                        }
                    }
                    if m.signalement.is_some() {
                        s.signalements += 1;
                    }
                    if m.hors_flux.is_some() {
                        s.hors_flux += 1;
                    } else {
                        s.mises_a_disposition += 1;
                    }
                    insert(&mut st, Some(import_id), &m, (&l.feuille, l.ligne, &l.brut), &l.reservataire_brut)?;
                }
            }
        }
        drop(st);
        drop(rej);
        *apres.entry(p.bailleur.clone()).or_default() += (s.mises_a_disposition + s.hors_flux) as u64;
        tx.execute(
            "UPDATE suivi_imports SET lignes_lues = ?2, mises_a_disposition = ?3, rejets = ?4 WHERE id = ?1",
            params![
                import_id,
                s.lignes_lues as i64,
                (s.mises_a_disposition + s.hors_flux) as i64,
                s.rejets.values().sum::<usize>() as i64
            ],
        )?;
        out.push(s);
    }
    // Never shrink a register silently: fewer than half of its lines, nothing is written.
    let pertes: Vec<crate::model::Perte> = avant
        .iter()
        .map(|(b, av)| crate::model::Perte {
            bailleur: b.clone(),
            avant: *av,
            apres: apres.get(b).copied().unwrap_or(0),
        })
        .filter(|p| crate::model::Pertes::est_une_perte(p.avant, p.apres))
        .collect();
    if !pertes.is_empty() && !o.accepter_perte {
        let fichiers = out.iter().filter(|s| s.identique.is_none()).count();
        return Err(SuiviError::Perte(crate::model::Pertes { pertes, registre: true, fichiers }));
    }
    crate::store::point_d_arret();
    tx.commit()?;
    Ok(out)
}

/// A register row joined to the dossier: the dwelling's characteristics from the dossier (or
/// from the row when the dossier does not know it), the réservataire's label resolved like an
/// état des lieux'. `Err` is the row set aside.
fn mise_a_disposition(
    ctx: &mut Context,
    bailleur: &str,
    connus: &HashMap<String, LogementConnu>,
    l: &registre::Ligne,
) -> std::result::Result<(MiseADisposition, bool), registre::Rejet> {
    let rejet = |motif: &'static str, valeur: String| registre::Rejet {
        feuille: l.feuille.clone(),
        ligne: l.ligne,
        motif,
        valeur,
        brut: l.brut.clone(),
    };
    let logement = match connus.get(&l.reference) {
        Some(x) => x.clone(),
        None => {
            // Not in the dossier: the row may describe the dwelling itself.
            let commune = if l.commune_brut.is_empty() { None } else { ctx.commune(&l.commune_brut).ok() };
            let typologie = ctx.typologie(&l.typologie_brut);
            match (commune, typologie) {
                (Some((commune, epci)), Some(t)) => LogementConnu {
                    commune,
                    epci,
                    typologie: t.grille(),
                    financement: ctx.financement(&l.financement_brut).unwrap_or(Financement::Autre),
                    qpv: ctx.qpv(&l.qpv_brut).unwrap_or(false),
                    annee_construction: l.annee_construction,
                },
                _ => return Err(rejet("logement_inconnu", l.reference.clone())),
            }
        }
    };
    let mut presume = false;
    let reservataire = if l.hors_flux.is_some() && l.reservataire_brut.trim().is_empty() {
        None
    } else {
        let sans_nom = crate::import::normalize::collectivite_sans_nom(&l.reservataire_brut)
            .filter(|_| !ctx.mapped(&l.reservataire_brut));
        let presumed = sans_nom.and_then(|k| match k {
            crate::import::normalize::SansNom::Commune => Some(format!("commune:{}", logement.commune)),
            crate::import::normalize::SansNom::Epci => {
                (!logement.epci.is_empty()).then(|| format!("epci:{}", logement.epci))
            }
            crate::import::normalize::SansNom::Departement => {
                reference().commune(&logement.commune).map(|c| format!("departement:{}", c.departement))
            }
        });
        presume = presumed.is_some();
        match presumed.or_else(|| ctx.reservataire(&l.reservataire_brut).map(|r| r.0)) {
            Some(r) => Some(r),
            None => return Err(rejet("reservataire_inconnu", l.reservataire_brut.clone())),
        }
    };
    let mut signalements = Vec::new();
    if let (Some(b), Some(m)) = (l.etapes.date_bail, l.etapes.date_mise_a_disposition)
        && b < m
    {
        signalements.push("bail signé avant la mise à disposition");
    }
    if l.etapes.date_cal.is_some()
        && (l.etapes.candidats == Some(0) || (l.etapes.candidats.is_none() && l.etapes.date_candidats.is_none()))
    {
        signalements.push("passage en CALEOL sans candidat");
    }
    let m = MiseADisposition {
        id: 0,
        bailleur: bailleur.to_string(),
        reference: l.reference.clone(),
        commune: logement.commune,
        epci: logement.epci,
        typologie: logement.typologie,
        financement: logement.financement,
        qpv: logement.qpv,
        annee_construction: logement.annee_construction,
        reservataire,
        hors_flux: l.hors_flux,
        etapes: l.etapes.clone(),
        signalement: (!signalements.is_empty()).then(|| signalements.join(" ; ")),
    };
    Ok((m, presume))
}

fn date_col(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<Date>> {
    Ok(r.get::<_, Option<String>>(i)?.and_then(|s| Date::parse_iso(&s)))
}

/// The active mises à disposition of some bailleurs (all when `None`), on an EPCI or all.
pub fn charger(d: &Dossier, bailleurs: Option<&[String]>, epci: Option<&str>) -> Result<Vec<MiseADisposition>> {
    let seul = bailleurs.filter(|b| b.len() == 1).map(|b| b[0].as_str());
    // Only the filters given are written, so that one bailleur's rows come through the
    // (bailleur, EPCI) index instead of a scan of every register.
    let mut filters = String::new();
    if epci.is_some() {
        filters.push_str(" AND m.epci = ?1");
    }
    if seul.is_some() {
        filters.push_str(" AND m.bailleur = ?2");
    }
    let mut st = d.conn.prepare(&format!(
        "SELECT m.id, m.bailleur, m.reference, m.commune, m.epci, m.typologie, m.financement, m.qpv,
                m.annee_construction, m.reservataire, m.hors_flux, m.date_liberation, m.preavis,
                m.date_mise_a_disposition, m.date_validation, m.candidats, m.date_candidats, m.date_cal,
                m.decision_cal, m.date_bail, m.issue, m.signalement
         FROM mises_a_disposition m LEFT JOIN suivi_imports i ON i.id = m.import_id
         WHERE (m.import_id IS NULL OR i.actif = 1) AND ?1 IS ?1 AND ?2 IS ?2{filters}
         ORDER BY m.id"
    ))?;
    let wanted: Option<HashSet<&str>> = bailleurs.map(|b| b.iter().map(String::as_str).collect());
    let mut out = Vec::new();
    let mut rows = st.query(params![epci, seul])?;
    while let Some(r) = rows.next()? {
        let bailleur: String = r.get(1)?;
        if wanted.as_ref().is_some_and(|w| !w.contains(bailleur.as_str())) {
            continue;
        }
        out.push(MiseADisposition {
            id: r.get(0)?,
            bailleur,
            reference: r.get(2)?,
            commune: r.get(3)?,
            epci: r.get(4)?,
            typologie: TypologieGrille::parse(&r.get::<_, String>(5)?).unwrap_or(TypologieGrille::T1),
            financement: Financement::parse(&r.get::<_, String>(6)?).unwrap_or(Financement::Autre),
            qpv: r.get(7)?,
            annee_construction: r.get(8)?,
            reservataire: r.get(9)?,
            hors_flux: r.get::<_, Option<String>>(10)?.and_then(|s| HorsFlux::parse(&s)),
            etapes: Etapes {
                date_liberation: date_col(r, 11)?,
                preavis: r.get(12)?,
                date_mise_a_disposition: date_col(r, 13)?,
                date_validation: date_col(r, 14)?,
                candidats: r.get(15)?,
                date_candidats: date_col(r, 16)?,
                date_cal: date_col(r, 17)?,
                decision_cal: r.get::<_, Option<String>>(18)?.and_then(|s| DecisionCal::parse(&s)),
                date_bail: date_col(r, 19)?,
                issue: Issue::parse(&r.get::<_, String>(20)?),
            },
            signalement: r.get(21)?,
        });
    }
    Ok(out)
}

/// A register row set aside, as `report` lists the rejets of an état des lieux.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejetRegistre {
    pub bailleur: String,
    pub fichier: String,
    pub feuille: Option<String>,
    pub ligne: u32,
    pub motif: String,
    pub valeur: String,
}

/// The rows set aside from the active registers of some bailleurs (all when `None`).
pub fn rejets(d: &Dossier, bailleurs: Option<&[String]>) -> Result<Vec<RejetRegistre>> {
    let mut st = d.conn.prepare(
        "SELECT r.bailleur, r.fichier, r.feuille, r.ligne, r.motif, r.valeur FROM suivi_rejets r
         JOIN suivi_imports i ON i.id = r.import_id WHERE i.actif = 1 ORDER BY r.id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(RejetRegistre {
            bailleur: r.get(0)?,
            fichier: r.get(1)?,
            feuille: r.get(2)?,
            ligne: r.get(3)?,
            motif: r.get(4)?,
            valeur: r.get(5)?,
        })
    })?;
    let mut out: Vec<RejetRegistre> = rows.collect::<std::result::Result<_, _>>()?;
    if let Some(b) = bailleurs {
        out.retain(|r| b.contains(&r.bailleur));
    }
    Ok(out)
}

/// The step a convention (bailleur × réservataire) counts at: its own setting, else the
/// bailleur's, else the dossier's, else `bail_signe`.
pub fn etape_decompte(d: &Dossier, bailleur: &str, reservataire: &str) -> Etape {
    for cle in [format!("decompte:{bailleur}:{reservataire}"), format!("decompte:{bailleur}"), "decompte".to_string()] {
        if let Ok(Some(v)) = d.parametre(&cle)
            && let Some(e) = Etape::parse(&v)
        {
            return e;
        }
    }
    Etape::BailSigne
}

/// How a convention (bailleur × réservataire) sets the reply deadline: its own setting, else
/// the bailleur's, else the dossier's, else the decree's rule (15 jours ouvrés or one month).
pub fn regle_delai(d: &Dossier, bailleur: &str, reservataire: &str) -> calendrier::RegleDelai {
    for cle in [format!("delai:{bailleur}:{reservataire}"), format!("delai:{bailleur}"), "delai".to_string()] {
        if let Ok(Some(v)) = d.parametre(&cle)
            && let Some(r) = parse_regle_delai(&v)
        {
            return r;
        }
    }
    calendrier::RegleDelai::Preavis
}

/// `preavis`, `un_mois` or a number of jours ouvrés.
pub fn parse_regle_delai(s: &str) -> Option<calendrier::RegleDelai> {
    match s.trim() {
        "preavis" => Some(calendrier::RegleDelai::Preavis),
        "un_mois" | "un-mois" | "1 mois" => Some(calendrier::RegleDelai::UnMois),
        n => n.parse::<u32>().ok().filter(|n| (1..=120).contains(n)).map(calendrier::RegleDelai::JoursOuvres),
    }
}

fn texte_regle_delai(r: calendrier::RegleDelai) -> String {
    match r {
        calendrier::RegleDelai::Preavis => "preavis".into(),
        calendrier::RegleDelai::UnMois => "un_mois".into(),
        calendrier::RegleDelai::JoursOuvres(n) => n.to_string(),
    }
}

/// A setting of a convention (bailleur × réservataire), else the bailleur's, else the dossier's.
fn reglage(d: &Dossier, nom: &str, bailleur: &str, reservataire: &str) -> Option<String> {
    [format!("{nom}:{bailleur}:{reservataire}"), format!("{nom}:{bailleur}"), nom.to_string()]
        .iter()
        .find_map(|cle| d.parametre(cle).ok().flatten())
}

/// The conventions' settings read once (a bilan asks them for every bailleur × réservataire):
/// the same answers as [`etape_decompte`], [`regle_delai`] and [`calendrier_de_la_convention`].
pub struct ReglagesDesConventions(HashMap<String, String>);

impl ReglagesDesConventions {
    pub fn lire(d: &Dossier) -> Result<Self> {
        Ok(Self(d.reglages_des_conventions()?))
    }

    /// The values of a setting, the convention's first, then the bailleur's, then the dossier's.
    fn valeurs<'a>(&'a self, nom: &str, bailleur: &str, reservataire: &str) -> impl Iterator<Item = &'a String> + 'a {
        let cles = [format!("{nom}:{bailleur}:{reservataire}"), format!("{nom}:{bailleur}"), nom.to_string()];
        cles.into_iter().filter_map(move |c| self.0.get(&c))
    }

    pub fn etape(&self, bailleur: &str, reservataire: &str) -> Etape {
        self.valeurs("decompte", bailleur, reservataire).find_map(|v| Etape::parse(v)).unwrap_or(Etape::BailSigne)
    }

    pub fn regle_delai(&self, bailleur: &str, reservataire: &str) -> calendrier::RegleDelai {
        self.valeurs("delai", bailleur, reservataire)
            .find_map(|v| parse_regle_delai(v))
            .unwrap_or(calendrier::RegleDelai::Preavis)
    }

    pub fn calendrier(&self, bailleur: &str, reservataire: &str, departement: Option<&str>) -> calendrier::Calendrier {
        let travaille = |nom| self.valeurs(nom, bailleur, reservataire).next().map(|v| v == "travaille");
        calendrier::Calendrier {
            departement: departement.map(str::to_string),
            lundi_pentecote_travaille: travaille("pentecote").unwrap_or(false),
            vendredi_saint: travaille("vendredi_saint").map(|t| !t),
        }
    }
}

/// The département of a commune (its local holidays).
pub fn departement_de(commune: &str) -> Option<String> {
    reference().commune(commune).map(|c| c.departement.to_string())
}

/// The holidays a convention counts for a dwelling of `departement`: the département's, and the
/// convention's Whit Monday (a holiday unless it says it is worked) and Good Friday (presumed a
/// holiday in Alsace-Moselle).
pub fn calendrier_de_la_convention(
    d: &Dossier,
    bailleur: &str,
    reservataire: &str,
    departement: Option<&str>,
) -> calendrier::Calendrier {
    let oui = |v: Option<String>| v.map(|v| v == "travaille");
    calendrier::Calendrier {
        departement: departement.map(str::to_string),
        lundi_pentecote_travaille: oui(reglage(d, "pentecote", bailleur, reservataire)).unwrap_or(false),
        vendredi_saint: oui(reglage(d, "vendredi_saint", bailleur, reservataire)).map(|travaille| !travaille),
    }
}

/// Records whether a convention works Whit Monday and Good Friday (`reservataire` None: all the
/// bailleur's); `None` leaves a setting as it is.
pub fn enregistrer_jours_de_la_convention(
    d: &Dossier,
    bailleur: &str,
    reservataire: Option<&str>,
    lundi_pentecote_travaille: Option<bool>,
    vendredi_saint_travaille: Option<bool>,
) -> Result<()> {
    let suffixe = match reservataire {
        Some(r) => format!("{bailleur}:{r}"),
        None => bailleur.to_string(),
    };
    for (nom, v) in [("pentecote", lundi_pentecote_travaille), ("vendredi_saint", vendredi_saint_travaille)] {
        if let Some(t) = v {
            d.set_parametre(&format!("{nom}:{suffixe}"), if t { "travaille" } else { "ferie" })?;
        }
    }
    Ok(())
}

/// The reply deadline of a mise à disposition of the dossier: its convention's rule and days, the
/// holidays of the dwelling's département.
pub fn echeance_de(d: &Dossier, m: &MiseADisposition) -> Option<Date> {
    let r = m.reservataire.as_deref().unwrap_or_default();
    let cal = calendrier_de_la_convention(d, &m.bailleur, r, departement_de(&m.commune).as_deref());
    cal.echeance(m.etapes.date_mise_a_disposition?, m.etapes.preavis.unwrap_or(1), regle_delai(d, &m.bailleur, r))
}

/// Records a convention's deadline rule (`reservataire` None: all the bailleur's).
pub fn enregistrer_regle_delai(
    d: &Dossier,
    bailleur: &str,
    reservataire: Option<&str>,
    r: calendrier::RegleDelai,
) -> Result<()> {
    let cle = match reservataire {
        Some(x) => format!("delai:{bailleur}:{x}"),
        None => format!("delai:{bailleur}"),
    };
    d.set_parametre(&cle, &texte_regle_delai(r))?;
    Ok(())
}

/// Records the step a convention counts at (`reservataire` None: all the bailleur's).
pub fn enregistrer_decompte(d: &Dossier, bailleur: &str, reservataire: Option<&str>, e: Etape) -> Result<()> {
    let cle = match reservataire {
        Some(r) => format!("decompte:{bailleur}:{r}"),
        None => format!("decompte:{bailleur}"),
    };
    d.set_parametre(&cle, e.as_str())?;
    Ok(())
}

/// Saves a mise à disposition typed in the window (or updates it when `m.id` is set).
pub fn enregistrer(d: &Dossier, m: &MiseADisposition) -> Result<i64> {
    if m.id > 0 {
        d.conn.execute("DELETE FROM mises_a_disposition WHERE id = ?1 AND import_id IS NULL", [m.id])?;
    }
    let mut st = d.conn.prepare(INSERT)?;
    insert(&mut st, None, m, (&None, 0, ""), m.reservataire.as_deref().unwrap_or(""))?;
    Ok(d.conn.last_insert_rowid())
}

/// An event of the follow-up typed in the window, at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Evenement {
    /// The réservataire designated candidates.
    Candidats,
    /// The CALEOL attributed the dwelling to a candidate.
    Attribution,
    /// The CALEOL examined and did not attribute.
    NonAttribution,
    BailSigne,
    /// No candidate, or none kept: the bailleur takes the dwelling back.
    Reprise,
}

/// Records an event on a mise à disposition typed in the window (registers imported from a
/// bailleur are changed by importing their new version).
pub fn noter(d: &Dossier, id: i64, e: Evenement, date: Date) -> Result<()> {
    let ds = date.to_string();
    let sql = match e {
        Evenement::Candidats => {
            "UPDATE mises_a_disposition SET date_candidats = ?2, candidats = COALESCE(candidats, 1) WHERE id = ?1 AND import_id IS NULL"
        }
        Evenement::Attribution => {
            "UPDATE mises_a_disposition SET date_cal = ?2, decision_cal = 'attribution' WHERE id = ?1 AND import_id IS NULL"
        }
        Evenement::NonAttribution => {
            "UPDATE mises_a_disposition SET date_cal = ?2, decision_cal = 'non_attribution' WHERE id = ?1 AND import_id IS NULL"
        }
        Evenement::BailSigne => {
            "UPDATE mises_a_disposition SET date_bail = ?2, issue = 'bail_signe' WHERE id = ?1 AND import_id IS NULL"
        }
        Evenement::Reprise => {
            "UPDATE mises_a_disposition SET issue = 'reprise' WHERE id = ?1 AND import_id IS NULL AND ?2 IS ?2"
        }
    };
    let n = d.conn.execute(sql, params![id, ds])?;
    if n == 0 {
        return Err(SuiviError::Donnees(format!(
            "mise à disposition n° {id} introuvable parmi celles saisies dans la fenêtre (un registre importé se corrige en réimportant le registre du bailleur)"
        )));
    }
    Ok(())
}

/// The mises à disposition typed in the window, newest first.
/// The latest year of the dossier's register of mises à disposition, if any.
pub fn derniere_annee(d: &Dossier) -> Result<Option<i32>> {
    let y: Option<String> =
        d.conn.query_row("SELECT MAX(substr(date_mise_a_disposition, 1, 4)) FROM mises_a_disposition", [], |r| {
            r.get(0)
        })?;
    Ok(y.and_then(|y| y.parse().ok()))
}

pub fn saisies(d: &Dossier) -> Result<Vec<MiseADisposition>> {
    let mut all = charger(d, None, None)?;
    let ids: HashSet<i64> = {
        let mut st = d.conn.prepare("SELECT id FROM mises_a_disposition WHERE import_id IS NULL")?;
        st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
    };
    all.retain(|m| ids.contains(&m.id));
    all.sort_by_key(|m| std::cmp::Reverse((m.etapes.date_mise_a_disposition, m.id)));
    Ok(all)
}

/// A mise à disposition still waiting for the réservataire's answer after its deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retard {
    pub bailleur: String,
    pub reference: String,
    pub reservataire: String,
    pub mise_a_disposition: Date,
    pub echeance: Date,
}

/// The mises à disposition in progress whose reply deadline (each convention's rule and days,
/// the holidays of the dwelling's département) passed before `date` without candidates.
pub fn retards(
    mads: &[MiseADisposition],
    date: Date,
    regle: &dyn Fn(&MiseADisposition) -> (calendrier::RegleDelai, calendrier::Calendrier),
) -> Vec<Retard> {
    let mut out: Vec<Retard> = mads
        .iter()
        .filter(|m| m.hors_flux.is_none() && m.etapes.issue == Issue::EnCours && m.etapes.date_bail.is_none())
        .filter(|m| {
            m.etapes.date_candidats.is_none() && m.etapes.candidats.unwrap_or(0) == 0 && m.etapes.date_cal.is_none()
        })
        .filter_map(|m| {
            let mad = m.etapes.date_mise_a_disposition?;
            let (r, cal) = regle(m);
            let e = cal.echeance(mad, m.etapes.preavis.unwrap_or(1), r)?;
            (e < date).then(|| Retard {
                bailleur: m.bailleur.clone(),
                reference: m.reference.clone(),
                reservataire: m.reservataire.clone().unwrap_or_default(),
                mise_a_disposition: mad,
                echeance: e,
            })
        })
        .collect();
    out.sort_by_key(|r| (r.echeance, r.reference.clone()));
    out
}

/// What is declared when a freed dwelling is made available (typed in the window).
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub bailleur: String,
    pub reference: String,
    /// The réservataire it is made available to; or, outside the flux, its category.
    pub reservataire: Option<String>,
    pub hors_flux: Option<HorsFlux>,
    pub liberation: Option<Date>,
    pub preavis: u8,
    pub mise_a_disposition: Date,
}

/// Saves a declared mise à disposition of a dwelling of the dossier; returns the reply
/// deadline its convention sets.
pub fn declarer(d: &Dossier, x: &Declaration) -> Result<Option<Date>> {
    if x.reservataire.is_none() && x.hors_flux.is_none() {
        return Err(SuiviError::Donnees("choisissez le réservataire, ou la catégorie hors flux".into()));
    }
    let mut m = logement(d, &x.bailleur, &x.reference)?.ok_or_else(|| {
        SuiviError::Donnees(format!("logement inconnu : « {}:{} » n'est pas dans le dossier", x.bailleur, x.reference))
    })?;
    m.reservataire = x.reservataire.clone();
    m.hors_flux = x.hors_flux;
    m.etapes.date_liberation = x.liberation;
    m.etapes.preavis = Some(x.preavis);
    m.etapes.date_mise_a_disposition = Some(x.mise_a_disposition);
    enregistrer(d, &m)?;
    Ok(echeance_de(d, &m))
}

/// The dwelling of the dossier behind `BAILLEUR:REFERENCE`, as a mise à disposition starts.
pub fn logement(d: &Dossier, bailleur: &str, reference: &str) -> Result<Option<MiseADisposition>> {
    let found = d
        .conn
        .query_row(
            "SELECT l.commune, l.epci, l.typologie_grille, l.financement, l.qpv, l.annee_construction
             FROM import_bailleurs b CROSS JOIN logements l ON b.import_id = l.import_id AND b.bailleur = l.bailleur
             WHERE b.actif = 1 AND b.bailleur = ?1 AND l.bailleur = ?1 AND l.reference = ?2 LIMIT 1",
            params![bailleur, reference],
            |r| {
                Ok(MiseADisposition {
                    id: 0,
                    bailleur: bailleur.to_string(),
                    reference: reference.to_string(),
                    commune: r.get(0)?,
                    epci: r.get(1)?,
                    typologie: TypologieGrille::parse(&r.get::<_, String>(2)?).unwrap_or(TypologieGrille::T1),
                    financement: Financement::parse(&r.get::<_, String>(3)?).unwrap_or(Financement::Autre),
                    qpv: r.get(4)?,
                    annee_construction: r.get(5)?,
                    reservataire: None,
                    hors_flux: None,
                    etapes: Etapes::default(),
                    signalement: None,
                })
            },
        )
        .optional()?;
    Ok(found)
}

#[cfg(test)]
mod tests;
