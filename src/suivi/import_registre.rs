//! Importing the bailleurs' registers of mises à disposition: each file read through the
//! import's header detection, each row joined to the dossier's dwelling and its réservataire
//! resolved like an état des lieux', all files in one transaction.

use super::calendrier::RegleDelai;
use super::registre;
use super::types::{OptionsRegistre, RegistreImporte, Result, SuiviError};
use crate::import::Context;
use crate::model::{
    Date, Etape, FaceAFace, Financement, Lu, Menage, MiseADisposition, Public, Quartile, Reservataire, TypologieGrille,
};
use crate::reference::reference;
use crate::store::{Dossier, RegistreWriter, RejetDeRegistre, SourceRegistre};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

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
    /// The header's columns in words (for a refusal).
    colonnes: String,
    /// What the summary says besides its counts (columns or sheets not read…).
    remarques: Vec<String>,
}

fn preparer(path: &Path, bailleur: Option<&str>, connus: &[String], import: Date) -> Result<Prepare> {
    let fichier = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let bytes = std::fs::read(path)
        .map_err(|e| SuiviError::Fichier { fichier: fichier.clone(), raison: format!("lecture impossible ({e})") })?;
    let sheets = crate::import::read::read_sheets(&bytes)
        .map_err(|e| SuiviError::Fichier { fichier: fichier.clone(), raison: e.0 })?;
    let mut lignes = Vec::new();
    let mut remarques = Vec::new();
    let mut colonnes = Vec::new();
    // Sheets with a header that lacks a column the register needs: not read, said.
    let mut incompletes: Vec<String> = Vec::new();
    let nommer = |s: &crate::import::read::SheetData| match &s.name {
        Some(n) if sheets.len() > 1 => format!("feuille « {n} » : "),
        _ => String::new(),
    };
    for s in sheets.iter().filter(|s| !s.hidden) {
        if let Some(e) = registre::entete(s) {
            let manque = e.manque();
            let en_clair = registre::colonnes_en_clair(s, &e);
            if !manque.is_empty() {
                incompletes.push(format!("{}il manque {} ({en_clair})", nommer(s), manque.join(" et ")));
                continue;
            }
            let lues = registre::lignes(s, &e, import);
            // Without a réservataire column, only rows outside the flux can be read: a flux row
            // there is a column not recognised, not a réservataire unknown.
            if e.colonne(registre::Champ::Logement(crate::model::Field::Reservataire)).is_none()
                && lues.iter().any(|l| l.as_ref().is_ok_and(|l| l.hors_flux.is_none()))
            {
                incompletes.push(format!(
                    "{}il manque le réservataire des lignes du flux (« Réservataire », « Contingent », « Destinataire ») ({en_clair})",
                    nommer(s)
                ));
                continue;
            }
            // A column whose header evokes a step but is not read: said on its own, with what
            // it means (the step counts 0), never one name among « Observations ».
            let etapes = registre::etapes_non_lues(s, &e);
            for (_, dit) in &etapes {
                remarques.push(format!("{}{dit}", nommer(s)));
            }
            let ignorees: Vec<String> = registre::colonnes(s, &e)
                .into_iter()
                .filter(|(t, c)| c.is_none() && !etapes.iter().any(|(x, _)| x == t))
                .map(|(t, _)| format!("« {t} »"))
                .collect();
            if !ignorees.is_empty() {
                remarques.push(format!("{}colonnes non lues : {}", nommer(s), ignorees.join(", ")));
            }
            colonnes.push(format!("{}{en_clair}", nommer(s)));
            lignes.extend(lues);
        }
    }
    if colonnes.is_empty() {
        if incompletes.is_empty() {
            return Err(SuiviError::PasUnRegistre(fichier));
        }
        return Err(SuiviError::Donnees(format!(
            "{fichier} : registre illisible, {} ; rien n'a été importé : nommez la colonne manquante dans le fichier (ou ajoutez-la), puis relancez",
            incompletes.join(" ; ")
        )));
    }
    for x in incompletes {
        remarques.push(format!("non lue, {x}"));
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
    Ok(Prepare {
        chemin: path.to_path_buf(),
        sha256: crate::sha256::hex_digest(&bytes),
        fichier,
        bailleur,
        lignes,
        colonnes: colonnes.join(" ; "),
        remarques,
    })
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
    importer_avec_delai(d, fichiers, o, None)
}

/// [`importer_avec`], recording in the same transaction the reply deadline rule `delai` of the
/// registers' bailleurs (their conventions without a rule of their own): the rows are checked
/// against it (a préavis missing where the deadline depends on it is said).
pub fn importer_avec_delai(
    d: &mut Dossier,
    fichiers: &[PathBuf],
    o: &OptionsRegistre,
    delai: Option<RegleDelai>,
) -> Result<Vec<RegistreImporte>> {
    let connus = d.bailleurs_actifs()?;
    let aujourd_hui = crate::store::now_iso()
        .get(..10)
        .and_then(Date::parse_iso)
        .unwrap_or_else(crate::store::default_date_reference);
    let prepared: Vec<Prepare> =
        fichiers.iter().map(|f| preparer(f, o.bailleur.as_deref(), &connus, aujourd_hui)).collect::<Result<_>>()?;
    let mut ctx = Context::du_dossier(d, d.territoire())?;
    let libelles = LibellesMenage {
        public: d.correspondances_du_champ(crate::model::ChampLibelle::Menage)?,
        quartile: d.correspondances_du_champ(crate::model::ChampLibelle::Quartile)?,
    };
    let mut logements: HashMap<String, HashMap<String, LogementConnu>> = HashMap::new();
    for p in &prepared {
        if !logements.contains_key(&p.bailleur) {
            logements.insert(p.bailleur.clone(), logements_du_bailleur(d, &p.bailleur)?);
        }
    }
    let saisies = Saisies::lire(d, &prepared)?;
    let mut reglages = super::ReglagesDesConventions::lire(d)?;
    if let Some(r) = delai {
        for b in prepared.iter().map(|p| &p.bailleur) {
            reglages.regler("delai", b, &super::delais::texte_regle_delai(r));
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
    if let Some(r) = delai {
        for b in prepared.iter().map(|p| &p.bailleur) {
            w.set_parametre(&format!("delai:{b}"), &super::delais::texte_regle_delai(r))?;
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
            remarques: p.remarques.clone(),
            ..Default::default()
        };
        let mut insertion = w.insertion()?;
        let cle = crate::text::key(&p.bailleur);
        let connus = &logements[&p.bailleur];
        let mut vus: HashSet<(String, Option<Date>, String)> = HashSet::new();
        let mut rejets: Vec<registre::Rejet> = Vec::new();
        let mut retenues: Vec<(registre::Ligne, MiseADisposition, bool)> = Vec::new();
        type Cle = (String, Option<Date>, Option<String>, Option<super::HorsFlux>);
        let mut par_cle: HashMap<Cle, usize> = HashMap::new();
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
                Ok(l) => mise_a_disposition(&mut ctx, &p.bailleur, connus, &l)
                    .map(|(mut m, presume)| {
                        m.menage = libelles.menage(&l);
                        (l, m, presume)
                    })
                    .and_then(|(l, m, presume)| {
                        // Typed in the window first: the typed one is kept and counted once.
                        let (motif, id) = match saisies.face_a(&m) {
                            Some(FaceAuxSaisies::Deja(id)) => {
                                s.deja_saisies.push((l.ligne, id));
                                (DEJA_SAISIE, id)
                            }
                            Some(FaceAuxSaisies::Conflit(id)) => {
                                s.conflits_saisies.push((l.ligne, id));
                                (CONFLIT_SAISIE, id)
                            }
                            None => return Ok((l, m, presume)),
                        };
                        Err(registre::Rejet {
                            feuille: l.feuille.clone(),
                            ligne: l.ligne,
                            motif,
                            valeur: format!("n° {id}"),
                            brut: l.brut.clone(),
                        })
                    }),
            };
            match res {
                Err(r) => rejets.push(r),
                Ok((l, m, presume)) => {
                    // The same mise à disposition twice (same dwelling, date, réservataire or
                    // category): one. A repeat that adds nothing is set aside (`doublon`); one
                    // that completes it (the lease of an « en cours » row) replaces it.
                    let cle = (
                        m.reference.clone(),
                        m.etapes.date_mise_a_disposition,
                        m.reservataire.as_ref().map(|r| r.to_string()),
                        m.hors_flux,
                    );
                    let doublon = |de: &registre::Ligne, pour: &registre::Ligne| registre::Rejet {
                        feuille: de.feuille.clone(),
                        ligne: de.ligne,
                        motif: DOUBLON,
                        valeur: format!(
                            "{}ligne {}",
                            pour.feuille.as_deref().map(|f| format!("{f}, ")).unwrap_or_default(),
                            pour.ligne
                        ),
                        brut: de.brut.clone(),
                    };
                    match par_cle.get(&cle).copied() {
                        Some(i) if complete(&m, &retenues[i].1) => rejets.push(doublon(&l, &retenues[i].0)),
                        Some(i) if complete(&retenues[i].1, &m) => {
                            rejets.push(doublon(&retenues[i].0, &l));
                            retenues[i] = (l, m, presume);
                        }
                        _ => {
                            par_cle.entry(cle).or_insert(retenues.len());
                            retenues.push((l, m, presume));
                        }
                    }
                }
            }
        }
        s.remarques.extend(valeurs_a_corriger(&rejets));
        for r in rejets {
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
        let mut sans_colonne_preavis: u64 = 0;
        for (l, mut m, presume) in retenues {
            if presume {
                *s.presomptions.entry(l.reservataire_brut.clone()).or_default() += 1;
            }
            // The same libération twice for the same réservataire: kept, flagged.
            if let Some(r) = &m.reservataire {
                let quand = m.etapes.date_liberation.or(m.etapes.date_mise_a_disposition);
                if !vus.insert((m.reference.clone(), quand, r.to_string())) {
                    m.signalement.get_or_insert_with(|| {
                        "la même libération mise deux fois à disposition du même réservataire".into()
                    });
                }
            }
            // The reply deadline of a convention that follows the notice (15 jours ouvrés for
            // one month, a month for three) needs the préavis: without it, it is computed as
            // for one month — said, never silently.
            if let Some(r) = &m.reservataire
                && m.etapes.preavis.is_none()
                && reglages.regle_delai(&p.bailleur, r.as_str()) == RegleDelai::Preavis
            {
                let dit = match l.preavis_brut.as_deref().map(str::trim) {
                    None => {
                        sans_colonne_preavis += 1;
                        None
                    }
                    Some("") => Some("préavis non renseigné".to_string()),
                    Some(t) => Some(format!("préavis illisible « {t} » (1 ou 3 mois)")),
                };
                if let Some(x) = dit {
                    let x = format!(
                        "{x} : délai de réponse compté comme pour un préavis d'un mois (15 jours ouvrés), à vérifier"
                    );
                    m.signalement = Some(match m.signalement.take() {
                        Some(avant) => format!("{avant} ; {x}"),
                        None => x,
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
            let menage_brut =
                if l.menage_brut.trim().is_empty() { l.dalo_brut.as_str() } else { l.menage_brut.as_str() };
            let src = SourceRegistre {
                feuille: l.feuille.as_deref(),
                ligne: l.ligne,
                brut: &l.brut,
                reservataire_brut: &l.reservataire_brut,
                menage_brut,
                quartile_brut: &l.quartile_brut,
            };
            insertion.inserer(import_id, &m, src)?;
        }
        drop(insertion);
        if sans_colonne_preavis > 0 {
            s.remarques.push(format!(
                "aucune colonne de préavis : le délai de réponse de {} est compté comme pour un préavis d'un mois (15 jours ouvrés), à vérifier ; ajoutez au registre la colonne « Préavis » (1 ou 3 mois), ou donnez aux conventions un délai qui n'en dépend pas (un mois quel que soit le préavis)",
                crate::format::pluriel(sans_colonne_preavis, "mise à disposition", "mises à disposition")
            ));
        }
        // Not one row usable: a wrong column or bailleur, never an empty register accepted
        // silently (--accepter-perte keeps the rows aside, to map their labels).
        if s.lignes_lues > 0 && s.mises_a_disposition + s.hors_flux == 0 && !o.accepter_perte {
            let motifs: Vec<String> = s.rejets.iter().map(|(m, n)| format!("{} : {n}", motif_en_clair(m))).collect();
            return Err(SuiviError::Donnees(format!(
                "{} : aucune ligne utilisable sur {} lues ({}) ; {} ; rien n'a été importé. Vérifiez les colonnes et le bailleur, ou relancez avec --accepter-perte pour garder les lignes de côté (libellés à rapprocher)",
                p.fichier,
                s.lignes_lues,
                motifs.join(", "),
                p.colonnes
            )));
        }
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

/// The motif of a register row whose hors-flux column holds a label of no category (nor a
/// filler meaning « in the flux »): set aside with its value, never read as « autres ».
pub const HORS_FLUX_INCONNU: &str = "hors_flux_inconnu";

/// The motif of a register row whose CALEOL decision holds a label of no decision (nor a filler
/// meaning « not decided yet »): set aside with its value, never read as a non-attribution.
pub const DECISION_INCONNUE: &str = "decision_inconnue";

/// The motif of a register row describing a dwelling the dossier does not know whose QPV cell
/// says neither QPV nor hors QPV (« ? », « NC »): set aside, never read as hors QPV.
pub const QPV_INCONNU: &str = "qpv_inconnu";

/// The motif of a register row describing a dwelling the dossier does not know whose
/// financement is a label of no list (as in an état des lieux): set aside, never « Autre ».
const FINANCEMENT_INCONNU: &str = "financement_inconnu";

/// The motif of a register row that repeats another row of the register (same dwelling, date
/// of mise à disposition, réservataire or category, nothing more): counted once.
pub const DOUBLON: &str = "doublon";

/// Whether `b` says all that `a` says (each step of `a` written is the same in `b`; `a` still
/// « en cours » or ended the same way): `a` repeated, or completed by `b`.
fn complete(a: &MiseADisposition, b: &MiseADisposition) -> bool {
    let (x, y) = (&a.etapes, &b.etapes);
    fn meme<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
        a.is_none() || a == b
    }
    meme(&x.date_liberation, &y.date_liberation)
        && meme(&x.preavis, &y.preavis)
        && meme(&x.date_validation, &y.date_validation)
        && meme(&x.candidats, &y.candidats)
        && meme(&x.date_candidats, &y.date_candidats)
        && meme(&x.date_cal, &y.date_cal)
        && meme(&x.decision_cal, &y.decision_cal)
        && meme(&x.date_bail, &y.date_bail)
        && (x.issue == y.issue || x.issue == crate::model::Issue::EnCours)
        && (a.menage == b.menage || a.menage == Menage::default())
}

/// The values of the rows set aside because a cell holds a label of no known value, in words,
/// with their rows and what to write instead: « décision CALEOL « En instruction » non
/// comprise (lignes 3, 7) … ».
fn valeurs_a_corriger(rejets: &[registre::Rejet]) -> Vec<String> {
    let mut out = Vec::new();
    for (motif, quoi, attendu) in [
        (
            DECISION_INCONNUE,
            "décision CALEOL",
            "Favorable, Défavorable, Refus du candidat, Ajourné, ou vide tant que la commission n'a pas décidé",
        ),
        (
            HORS_FLUX_INCONNU,
            "catégorie hors flux",
            "Mutation, Relogement ANRU, Démolition hors ANRU, LHI, ORCOD, Vente, Urgence, Autres, ou vide dans le flux",
        ),
        (QPV_INCONNU, "QPV", "Oui ou Non (« QPV », « Hors QPV »)"),
        (FINANCEMENT_INCONNU, "financement", "PLAI, PLUS, PLS, PLI ou un code RPLS"),
    ] {
        let mut valeurs: Vec<(&str, Vec<String>)> = Vec::new();
        let les_siens = || rejets.iter().filter(|r| r.motif == motif);
        // The sheet is said only when the rows lie on several.
        let feuilles = les_siens().map(|r| &r.feuille).collect::<HashSet<_>>().len() > 1;
        for r in les_siens() {
            let ligne = match &r.feuille {
                Some(f) if feuilles => format!("{} de « {f} »", r.ligne),
                _ => r.ligne.to_string(),
            };
            match valeurs.iter_mut().find(|(v, _)| *v == r.valeur) {
                Some((_, l)) => l.push(ligne),
                None => valeurs.push((&r.valeur, vec![ligne])),
            }
        }
        if valeurs.is_empty() {
            continue;
        }
        let n = valeurs.len();
        let dites: Vec<String> = valeurs
            .into_iter()
            .take(5)
            .map(|(v, l)| {
                let plus = if l.len() > 5 { format!("… {} lignes", l.len()) } else { String::new() };
                let mot = if l.len() > 1 { "lignes" } else { "ligne" };
                let l: Vec<String> = l.into_iter().take(5).collect();
                format!("« {v} » ({mot} {}{plus})", l.join(", "))
            })
            .collect();
        let autres = if n > 5 { format!(" et {} autres valeurs", n - 5) } else { String::new() };
        let valeur = if n > 1 { "valeurs" } else { "valeur" };
        let comprise = if n > 1 { "comprises" } else { "comprise" };
        out.push(format!(
            "{valeur} de {quoi} non {comprise} : {}{autres} ; ces lignes sont mises de côté, non comptées : écrivez {attendu}, puis réimportez le registre",
            dites.join(", ")
        ));
    }
    out
}

/// The motif of a register row that repeats a mise à disposition typed in the window.
pub const DEJA_SAISIE: &str = "deja_saisie";

/// The motif of a register row that overlaps a mise à disposition typed in the window (the
/// dwelling held by one of them on the other's date).
pub const CONFLIT_SAISIE: &str = "conflit_saisie";

/// The mises à disposition typed in the window for the bailleurs of the registers, by
/// dwelling. A register row that repeats one of them (same dwelling, same date of mise à
/// disposition, same réservataire or same category outside the flux — the rule of
/// [`super::deja_enregistree`]) is set aside, « déjà saisie (n° N) »: the typed one came first
/// and stays, counted once. A row that overlaps one of them — the dwelling still held by the
/// typed one on the row's date, or by the row on the typed one's date (one libération, one
/// réservataire at a time: [`MiseADisposition::face_a`]) — is set aside too, « en conflit avec la saisie
/// n° N », never counted beside it. Setting the row aside rather than deleting the typed one
/// keeps the history whole: withdrawing or restoring a register never loses nor brings back
/// what was typed in the window.
struct Saisies(HashMap<(String, String), Vec<MiseADisposition>>);

/// Why a register row is set aside beside the mises à disposition typed in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaceAuxSaisies {
    /// It repeats the typed one with this number.
    Deja(i64),
    /// It overlaps the typed one with this number.
    Conflit(i64),
}

impl Saisies {
    fn lire(d: &Dossier, prepared: &[Prepare]) -> Result<Self> {
        let bailleurs: HashSet<&str> = prepared.iter().map(|p| p.bailleur.as_str()).collect();
        let mut out: HashMap<_, Vec<_>> = HashMap::new();
        for m in d.mises_a_disposition_saisies()? {
            if m.etapes.date_mise_a_disposition.is_some() && bailleurs.contains(m.bailleur.as_str()) {
                out.entry((m.bailleur.clone(), m.reference.clone())).or_default().push(m);
            }
        }
        Ok(Self(out))
    }

    /// Whether `m` repeats or overlaps a typed mise à disposition (a repeat first).
    fn face_a(&self, m: &MiseADisposition) -> Option<FaceAuxSaisies> {
        if self.0.is_empty() {
            return None;
        }
        let saisies = self.0.get(&(m.bailleur.clone(), m.reference.clone()))?;
        let avec = |f: FaceAFace| saisies.iter().find(|t| m.face_a(t) == Some(f)).map(|t| t.id);
        avec(FaceAFace::Repete)
            .map(FaceAuxSaisies::Deja)
            .or_else(|| avec(FaceAFace::Chevauche).map(FaceAuxSaisies::Conflit))
    }
}

/// The user's mappings of the household labels (label key → value).
struct LibellesMenage {
    public: HashMap<String, String>,
    quartile: HashMap<String, String>,
}

impl LibellesMenage {
    /// The household of a row: its « Ménage » / « Public prioritaire » column, a « DALO » one
    /// (« Oui » there is DALO), its quartile; each label known or mapped by the user, else kept
    /// as written (unknown), never guessed.
    fn menage(&self, l: &registre::Ligne) -> Menage {
        let public = |raw: &str, dalo: bool| {
            let lu = Public::lire(raw, dalo)
                .or_else(|| self.public.get(&crate::text::key(raw)).and_then(|v| Public::parse(v)));
            Lu::de(raw, lu)
        };
        let quartile = Quartile::lire(&l.quartile_brut, l.quartile_oui_non).or_else(|| {
            self.quartile
                .get(&crate::text::key(&l.quartile_brut))
                .and_then(|v| v.parse::<u8>().ok())
                .and_then(Quartile::du_numero)
        });
        let (m, d) = (public(&l.menage_brut, false), public(&l.dalo_brut, true));
        let public = match (m, d) {
            (_, Lu::Valeur(Public::Dalo)) => Lu::Valeur(Public::Dalo),
            (Lu::NonRenseigne, d) => d,
            (m, _) => m,
        };
        Menage { public, quartile: Lu::de(&l.quartile_brut, quartile) }
    }
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
                    // An unknown label is set aside as in an état des lieux, never « Autre ».
                    financement: match ctx.financement(&l.financement_brut) {
                        Some(f) => f,
                        None => return Err(rejet(FINANCEMENT_INCONNU, l.financement_brut.clone())),
                    },
                    // « ? », « NC »: neither QPV nor hors QPV — never hors QPV by default (the
                    // bilan's QPV breakdown and the CIA's hors-QPV quartile would move).
                    qpv: match ctx.qpv(&l.qpv_brut) {
                        Some(q) => q,
                        None => return Err(rejet(QPV_INCONNU, l.qpv_brut.clone())),
                    },
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
            crate::import::normalize::SansNom::Commune => Some(Reservataire::commune(&logement.commune).into()),
            crate::import::normalize::SansNom::Epci => {
                (!logement.epci.is_empty()).then(|| Reservataire::epci(&logement.epci).into())
            }
            crate::import::normalize::SansNom::Departement => {
                reference().commune(&logement.commune).map(|c| Reservataire::departement(c.departement).into())
            }
        });
        presume = presumed.is_some();
        match presumed.or_else(|| ctx.reservataire(&l.reservataire_brut).map(String::from)) {
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
        reservataire: reservataire.map(Reservataire::new),
        hors_flux: l.hors_flux,
        etapes: l.etapes.clone(),
        signalement: (!signalements.is_empty()).then(|| signalements.join(" ; ")),
        menage: Menage::default(),
    };
    Ok((m, presume))
}

/// Why a register row was set aside, in words (« Date illisible »), never the code: the
/// window, the command line and the bilan say it the same way.
pub fn motif_en_clair(code: &str) -> String {
    match code {
        "logement_inconnu" => "Logement inconnu du dossier".into(),
        "bailleur_different" => "Ligne d'un autre bailleur".into(),
        DOUBLON => "Doublon d'une autre ligne (comptée une fois)".into(),
        HORS_FLUX_INCONNU => "Catégorie hors flux inconnue (ni dans le flux, ni hors flux)".into(),
        DECISION_INCONNUE => {
            "Décision CALEOL inconnue (ni attribution, ni non-attribution, ni refus du candidat)".into()
        }
        DEJA_SAISIE => "Déjà saisie dans la fenêtre (la saisie est gardée, comptée une fois)".into(),
        CONFLIT_SAISIE => {
            "En conflit avec une mise à disposition saisie dans la fenêtre (le logement n'est mis à disposition que d'un réservataire à la fois : la saisie est gardée, la ligne n'est pas comptée)".into()
        }
        other => match crate::model::Motif::parse(other) {
            Some(m) => m.label().into(),
            None => other.replace('_', " "),
        },
    }
}
