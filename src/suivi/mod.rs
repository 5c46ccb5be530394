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
use crate::store::{Dossier, RegistreWriter, RejetDeRegistre, SourceRegistre, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use crate::model::{DecisionCal, Etape, Etapes, Issue, MiseADisposition};

/// The categories of libérations outside the flux: the one list of soustraits of the flux
/// (`interfaces.md`: the bilan's `hors_flux` keys are the flux's soustraits categories).
pub use crate::model::Soustrait as HorsFlux;

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
    Ok(d.logements_actifs_du_bailleur(bailleur)?
        .into_iter()
        .map(|l| {
            let connu = LogementConnu {
                commune: l.commune,
                epci: l.epci,
                typologie: l.typologie_grille,
                financement: l.financement,
                qpv: l.qpv,
                annee_construction: l.annee_construction,
            };
            (l.reference, connu)
        })
        .collect())
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
            let proches = crate::text::noms_proches(&bailleur, connus, 3);
            return Err(SuiviError::BailleurInconnu { bailleur, proches });
        }
    };
    Ok(Prepare { chemin: path.to_path_buf(), sha256: crate::sha256::hex_digest(&bytes), fichier, bailleur, lignes })
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
    let connus = d.bailleurs_actifs()?;
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
    let w = RegistreWriter::begin(d)?;
    // Each bailleur's register lines before this call (for the loss check), and what comes.
    let mut avant: BTreeMap<String, u64> = BTreeMap::new();
    let mut apres: BTreeMap<String, u64> = BTreeMap::new();
    let mut lus: HashMap<String, i64> = HashMap::new();
    let mut out = Vec::new();
    if let Some(e) = o.decompte {
        for b in prepared.iter().map(|p| &p.bailleur) {
            w.set_parametre(&format!("decompte:{b}"), e.as_str())?;
        }
    }
    for p in prepared {
        let identique = match lus.get(&p.sha256) {
            Some(id) => Some(*id),
            None => w.registre_actif_identique(&p.sha256, &p.bailleur)?,
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
            avant.insert(p.bailleur.clone(), w.lignes_du_registre_actif(&p.bailleur)?);
            // The bailleur's previous register: replaced (kept in the history).
            w.retirer_registre(&p.bailleur)?;
        }
        let import_id = w.nouveau_registre(&p.fichier, &p.chemin.display().to_string(), &p.sha256, &p.bailleur)?;
        lus.insert(p.sha256.clone(), import_id);
        let mut s = RegistreImporte {
            import_id,
            fichier: p.fichier.clone(),
            bailleur: p.bailleur.clone(),
            lignes_lues: p.lignes.len(),
            ..Default::default()
        };
        let mut insertion = w.insertion()?;
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
                    let rejet = RejetDeRegistre {
                        feuille: r.feuille.as_deref(),
                        ligne: r.ligne,
                        motif: r.motif,
                        valeur: &r.valeur,
                        brut: &r.brut,
                    };
                    w.inserer_rejet(import_id, &p.bailleur, &p.fichier, rejet)?;
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
                    let src = SourceRegistre {
                        feuille: l.feuille.as_deref(),
                        ligne: l.ligne,
                        brut: &l.brut,
                        reservataire_brut: &l.reservataire_brut,
                    };
                    insertion.inserer(import_id, &m, src)?;
                }
            }
        }
        drop(insertion);
        *apres.entry(p.bailleur.clone()).or_default() += (s.mises_a_disposition + s.hors_flux) as u64;
        w.terminer_registre(
            import_id,
            s.lignes_lues,
            s.mises_a_disposition + s.hors_flux,
            s.rejets.values().sum::<usize>(),
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
    w.commit()?;
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

pub use crate::store::RejetRegistre;

/// The rows set aside from the active registers of some bailleurs (all when `None`).
pub fn rejets(d: &Dossier, bailleurs: Option<&[String]>) -> Result<Vec<RejetRegistre>> {
    let mut out = d.rejets_des_registres()?;
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
    let introuvable = || {
        SuiviError::Donnees(format!(
            "mise à disposition n° {id} introuvable parmi celles saisies dans la fenêtre (un registre importé se corrige en réimportant le registre du bailleur)"
        ))
    };
    let mut etapes = d.mise_a_disposition_saisie(id)?.ok_or_else(introuvable)?.etapes;
    match e {
        Evenement::Candidats => {
            etapes.date_candidats = Some(date);
            etapes.candidats = etapes.candidats.or(Some(1));
        }
        Evenement::Attribution => {
            etapes.date_cal = Some(date);
            etapes.decision_cal = Some(DecisionCal::Attribution);
        }
        Evenement::NonAttribution => {
            etapes.date_cal = Some(date);
            etapes.decision_cal = Some(DecisionCal::NonAttribution);
        }
        Evenement::BailSigne => {
            etapes.date_bail = Some(date);
            etapes.issue = Issue::BailSigne;
        }
        Evenement::Reprise => etapes.issue = Issue::Reprise,
    }
    if !d.modifier_etapes_saisies(id, &etapes)? {
        return Err(introuvable());
    }
    Ok(())
}

/// The mises à disposition typed in the window, newest first.
pub fn saisies(d: &Dossier) -> Result<Vec<MiseADisposition>> {
    let mut all = d.mises_a_disposition_saisies()?;
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
    d.enregistrer_mise_a_disposition(&m)?;
    Ok(echeance_de(d, &m))
}

/// The dwelling of the dossier behind `BAILLEUR:REFERENCE`, as a mise à disposition starts.
pub fn logement(d: &Dossier, bailleur: &str, reference: &str) -> Result<Option<MiseADisposition>> {
    Ok(d.logement_actif(bailleur, reference)?.map(|l| MiseADisposition {
        id: 0,
        bailleur: bailleur.to_string(),
        reference: reference.to_string(),
        commune: l.commune,
        epci: l.epci,
        typologie: l.typologie_grille,
        financement: l.financement,
        qpv: l.qpv,
        annee_construction: l.annee_construction,
        reservataire: None,
        hors_flux: None,
        etapes: Etapes::default(),
        signalement: None,
    }))
}

#[cfg(test)]
mod tests;
