//! The flux and the dossier: checking the parameters against the bailleur's dwellings,
//! reading the dwellings grouped, saving and reading the parameters of each year.

use super::*;
use crate::store::{Dossier, Result as StoreResult, Selection};

/// A parameter that cannot be used, with what to correct (réservataires and communes named
/// by their names, with the code typed when there is one).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParametreRefuse {
    #[error("{quoi} : {valeur} % n'est pas un pourcentage entre 0 et 100")]
    HorsBornes { quoi: String, valeur: f64 },
    #[error("le non réservé prend ce que laissent les autres : son taux ne se fixe pas")]
    NonReserveFixe,
    #[error("apport de terrain ou de financement : {} n'est pas une collectivité", libelle_reservataire(.0))]
    ApportNonCollectivite(String),
    #[error(
        "exclusion « {motif} » : le bailleur n'a aucun logement dans la commune {} ({commune}) sur ce territoire",
        nom_commune(commune)
    )]
    ExclusionHorsCommunes { motif: String, commune: String },
    #[error(
        "réservataire inconnu « {0} » : attendu etat, etat-fonctionnaires, action-logement, commune:INSEE, epci:SIREN, departement:CODE, region:CODE ou autre:NOM"
    )]
    ReservataireInconnu(String),
    #[error("{} : le bailleur n'a aucun logement dans cette commune sur ce territoire", libelle_reservataire(.0))]
    CommuneSansLogement(String),
}

/// Checks the parameters against the bailleur's dwellings before anything is computed or
/// saved: a rate outside 0–100 %, an unknown réservataire, an exclusion in a commune where the
/// bailleur has no dwelling. The message says what to correct.
pub fn verifier(groupes: &[Groupe], p: &FluxParametres) -> Result<(), ParametreRefuse> {
    let communes: BTreeSet<&str> = groupes.iter().map(|g| g.commune.as_str()).collect();
    let check_pct = |quoi: &str, v: Option<f64>| match v {
        Some(x) if !(0.0..=100.0).contains(&x) || !x.is_finite() => {
            Err(ParametreRefuse::HorsBornes { quoi: quoi.to_string(), valeur: x })
        }
        _ => Ok(()),
    };
    check_pct("taux de rotation", p.rotation_pct)?;
    check_pct("part de l'État", p.taux_etat_pct)?;
    check_pct("part des fonctionnaires", p.taux_fonctionnaires_pct)?;
    check_pct("mutations", p.mutations_pct)?;
    for (id, t) in &p.taux_fixes {
        check_pct(&format!("taux de {}", libelle_reservataire(id)), Some(*t))?;
        verifier_reservataire(id, &communes)?;
        if *id == NON_RESERVE {
            return Err(ParametreRefuse::NonReserveFixe);
        }
    }
    for id in &p.apports {
        verifier_reservataire(id, &communes)?;
        if !est_collectivite(id) {
            return Err(ParametreRefuse::ApportNonCollectivite(id.to_string()));
        }
    }
    for e in &p.exclusions_manuelles {
        if let Some(c) = &e.commune
            && !communes.contains(c.as_str())
        {
            return Err(ParametreRefuse::ExclusionHorsCommunes { motif: e.motif.clone(), commune: c.clone() });
        }
        if let Some(id) = &e.reservataire {
            verifier_reservataire(id, &communes)?;
        }
    }
    Ok(())
}

/// [`verifier`] for one EPCI of a département: a commune's rate or exclusion may concern
/// another EPCI of the département.
pub fn verifier_departement(groupes: &[Groupe], p: &FluxParametres) -> Result<(), ParametreRefuse> {
    let mut p = p.clone();
    let communes: BTreeSet<&str> = groupes.iter().map(|g| g.commune.as_str()).collect();
    let ailleurs = |id: &str| PorteeId::Commune.code(id).is_some_and(|c| !communes.contains(c));
    p.taux_fixes.retain(|id, _| !ailleurs(id));
    p.apports.retain(|id| !ailleurs(id));
    p.exclusions_manuelles.retain(|e| e.commune.as_deref().is_none_or(|c| communes.contains(c)));
    verifier(groupes, &p)
}

fn verifier_reservataire(id: &str, communes: &BTreeSet<&str>) -> Result<(), ParametreRefuse> {
    if !crate::model::Reservataire::is_valid_id(id) {
        return Err(ParametreRefuse::ReservataireInconnu(id.to_string()));
    }
    if let Some(c) = PorteeId::Commune.code(id)
        && !communes.contains(c)
    {
        return Err(ParametreRefuse::CommuneSansLogement(id.to_string()));
    }
    Ok(())
}

/// The bailleur's active dwellings on the EPCI, grouped by commune.
pub fn groupes(d: &Dossier, bailleur: &str, epci: &str) -> StoreResult<Vec<Groupe>> {
    groupes_perimetre(d, Some(bailleur), None, Some(epci))
}

/// The EPCIs of the département where the bailleur has dwellings, in SIREN order.
pub fn epcis_du_departement(d: &Dossier, bailleur: &str, departement: &str) -> StoreResult<Vec<String>> {
    Ok(groupes_par_epci(d, bailleur)?
        .into_iter()
        .filter(|(_, g)| {
            g.iter().any(|g| reference().commune(&g.commune).is_some_and(|c| c.departement == departement))
        })
        .map(|(e, _)| e)
        .collect())
}

/// A bailleur's active dwellings grouped, for each EPCI where it has some (one query).
pub fn groupes_par_epci(d: &Dossier, bailleur: &str) -> StoreResult<BTreeMap<String, Vec<Groupe>>> {
    let mut out: BTreeMap<String, Vec<Groupe>> = Default::default();
    for (epci, g) in grouper(d, Some(bailleur), None, None)? {
        out.entry(epci).or_default().push(g);
    }
    Ok(out)
}

/// Active dwellings grouped by commune, on a perimeter (any of bailleur, commune, EPCI may be open).
pub fn groupes_perimetre(
    d: &Dossier,
    bailleur: Option<&str>,
    commune: Option<&str>,
    epci: Option<&str>,
) -> StoreResult<Vec<Groupe>> {
    Ok(grouper(d, bailleur, commune, epci)?.into_iter().map(|(_, g)| g).collect())
}

/// Reads the active dwellings of a perimeter once and counts them by (EPCI, commune,
/// réservataire, financement, typologie, QPV, nature) in memory: a plain scan through the
/// (import, bailleur) index, no sort (SQLite's GROUP BY sorted 50 000 rows in 100 ms). An
/// extinct right counts under « non réservé » (the dossier reads it so). Ordered like the
/// GROUP BY it replaces.
fn grouper(
    d: &Dossier,
    bailleur: Option<&str>,
    commune: Option<&str>,
    epci: Option<&str>,
) -> StoreResult<Vec<(String, Groupe)>> {
    use crate::text::FastMap as HashMap;
    // Strings interned once each: the rows only borrow them (a fast hash: a million dwellings
    // are five lookups each).
    let mut names: Vec<String> = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::default();
    let mut intern = |s: &str| -> u32 {
        if let Some(i) = ids.get(s) {
            return *i;
        }
        let i = names.len() as u32;
        names.push(s.to_string());
        ids.insert(s.to_string(), i);
        i
    };
    let aucune = u32::MAX;
    // (EPCI, commune, réservataire, financement, typologie, QPV, nature) → dwellings.
    type Cle = (u32, u32, u32, u8, u8, bool, u32);
    let mut counts: HashMap<Cle, u64> = HashMap::default();
    d.pour_chaque_logement_actif(Selection { bailleur, commune, epci }, |l| {
        let nature = l.nature.map_or(aucune, &mut intern);
        let key = (
            intern(l.epci),
            intern(l.commune),
            intern(l.reservataire),
            l.financement as u8,
            l.typologie as u8,
            l.qpv,
            nature,
        );
        *counts.entry(key).or_default() += 1;
    })?;
    let mut out: Vec<(String, Groupe)> = counts
        .into_iter()
        .map(|((e, c, res, fin, typ, qpv, nature), n)| {
            (
                names[e as usize].clone(),
                Groupe {
                    commune: names[c as usize].clone(),
                    reservataire: Reservataire::new(names[res as usize].as_str()),
                    financement: Financement::ALL[fin as usize],
                    typologie: TypologieGrille::ALL[typ as usize],
                    qpv,
                    nature: (nature != aucune).then(|| names[nature as usize].clone()),
                    logements: n,
                },
            )
        })
        .collect();
    out.sort_by(|(ea, a), (eb, b)| {
        (ea, &a.commune, &a.reservataire, a.financement.as_str(), a.typologie, a.qpv, &a.nature).cmp(&(
            eb,
            &b.commune,
            &b.reservataire,
            b.financement.as_str(),
            b.typologie,
            b.qpv,
            &b.nature,
        ))
    });
    Ok(out)
}

/// The parameters saved for a bailleur × EPCI × year; else those of the latest year before,
/// marked with their year so that they are proposed « à confirmer ».
pub fn parametres(d: &Dossier, bailleur: &str, epci: &str, annee: i32) -> StoreResult<FluxParametres> {
    Ok(match d.parametres_du_flux::<FluxParametres>(bailleur, epci, annee)? {
        Some((saved, mut p)) => {
            p.annee_source = (saved < annee).then_some(saved);
            p
        }
        None => FluxParametres::default(),
    })
}

/// Saves the parameters for the year (which confirms parameters carried over from N−1).
pub fn enregistrer_parametres(
    d: &Dossier,
    bailleur: &str,
    epci: &str,
    annee: i32,
    p: &FluxParametres,
) -> StoreResult<()> {
    d.enregistrer_parametres_du_flux(bailleur, epci, annee, p)
}

/// The key under which the parameters given for a whole département are saved.
pub fn cle_departement(departement: &str) -> String {
    Reservataire::departement(departement).into()
}

/// The parameters given for a département (`flux --departement`): saved for the year, else those
/// of the latest year before, « à confirmer ».
pub fn parametres_du_departement(
    d: &Dossier,
    bailleur: &str,
    departement: &str,
    annee: i32,
) -> StoreResult<FluxParametres> {
    parametres(d, bailleur, &cle_departement(departement), annee)
}

/// Saves the parameters given for a département: from then on its flux governs the bailleur's
/// EPCIs of that département for the year (views, annexes, objectives of the bilans).
pub fn enregistrer_parametres_du_departement(
    d: &Dossier,
    bailleur: &str,
    departement: &str,
    annee: i32,
    p: &FluxParametres,
) -> StoreResult<()> {
    enregistrer_parametres(d, bailleur, &cle_departement(departement), annee, p)
}

/// Whether the bailleur's flux of the year was saved for the whole département (rule 9: it then
/// governs every EPCI of the département).
pub fn departement_enregistre(d: &Dossier, bailleur: &str, departement: &str, annee: i32) -> StoreResult<bool> {
    d.parametres_du_flux_enregistres(bailleur, &cle_departement(departement), annee)
}

/// The départements of a bailleur's dwellings on an EPCI (one, except for an EPCI across a
/// border).
fn departements_des_groupes(g: &[Groupe]) -> BTreeSet<String> {
    g.iter().filter_map(|x| reference().commune(&x.commune).map(|c| c.departement.to_string())).collect()
}

/// An EPCI of a département: its SIREN, the bailleur's dwellings there, its saved parameters.
pub type EntreeDuDepartement = (String, Vec<Groupe>, FluxParametres);

/// What `calculer_departement` needs from the dossier: each EPCI of the département where the
/// bailleur has dwellings, with its dwellings and its saved parameters, and the parameters
/// given for the département.
pub fn entrees_du_departement(
    d: &Dossier,
    bailleur: &str,
    departement: &str,
    annee: i32,
) -> StoreResult<(Vec<EntreeDuDepartement>, FluxParametres)> {
    let mut entrees = Vec::new();
    for (e, g) in groupes_par_epci(d, bailleur)? {
        if departements_des_groupes(&g).contains(departement) {
            let p = parametres(d, bailleur, &e, annee)?;
            entrees.push((e, g, p));
        }
    }
    Ok((entrees, parametres_du_departement(d, bailleur, departement, annee)?))
}

/// The bailleur's departmental flux of the year with the saved parameters (None without
/// dwellings in the département).
pub fn flux_du_departement(d: &Dossier, bailleur: &str, departement: &str, annee: i32) -> StoreResult<Option<Flux>> {
    let (entrees, p) = entrees_du_departement(d, bailleur, departement, annee)?;
    if entrees.is_empty() {
        return Ok(None);
    }
    Ok(Some(calculer_departement(bailleur, departement, annee, &entrees, &p)))
}

/// The département whose saved flux governs this EPCI's flux of the year, if one does.
pub fn departement_gouvernant(
    d: &Dossier,
    bailleur: &str,
    groupes: &[Groupe],
    annee: i32,
) -> StoreResult<Option<String>> {
    for dep in departements_des_groupes(groupes) {
        if departement_enregistre(d, bailleur, &dep, annee)? {
            return Ok(Some(dep));
        }
    }
    Ok(None)
}

/// Where the flux of year N of a bailleur on an EPCI stands — what the annex (refused when
/// absent, « PROJET » when carried over), the consolidated bilan (counts it unless absent) and
/// the orientation (only a flux of the year) ask before using it. One rule for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FluxDeLAnnee {
    /// Its parameters saved for that year (a flux of the département may govern them too:
    /// either way the year's flux is saved).
    Enregistre,
    /// The EPCI's part of the bailleur's flux saved for the département (rule 9).
    Departemental(String),
    /// The parameters of an earlier year carried over, to confirm.
    Repris(i32),
    /// No parameters saved for that year nor before (or only blank ones).
    Absent,
}

impl FluxDeLAnnee {
    /// Saved for the year, for the département, or carried over from an earlier year.
    pub fn existe(&self) -> bool {
        *self != FluxDeLAnnee::Absent
    }

    /// Saved for the year (by the EPCI or the département): no earlier year's figures.
    pub fn de_l_annee(&self) -> bool {
        matches!(self, FluxDeLAnnee::Enregistre | FluxDeLAnnee::Departemental(_))
    }
}

/// [`FluxDeLAnnee`] of a bailleur on an EPCI whose dwellings `groupes` are already read.
pub fn flux_de_l_annee(
    d: &Dossier,
    bailleur: &str,
    epci: &str,
    annee: i32,
    groupes: &[Groupe],
) -> StoreResult<FluxDeLAnnee> {
    // The parameters first: one row read, where the département is looked for group by group
    // (the consolidated bilan asks this of every bailleur × EPCI).
    let p = parametres_de_l_annee(d, bailleur, epci, annee)?;
    if p == FluxDeLAnnee::Enregistre {
        return Ok(p);
    }
    Ok(match departement_gouvernant(d, bailleur, groupes, annee)? {
        Some(dep) => FluxDeLAnnee::Departemental(dep),
        None => p,
    })
}

/// [`FluxDeLAnnee`] of the parameters saved for the EPCI alone (the département not looked at).
pub fn parametres_de_l_annee(d: &Dossier, bailleur: &str, epci: &str, annee: i32) -> StoreResult<FluxDeLAnnee> {
    Ok(match d.parametres_du_flux::<FluxParametres>(bailleur, epci, annee)? {
        Some((_, p)) if !p.saisis() => FluxDeLAnnee::Absent,
        Some((saved, _)) if saved < annee => FluxDeLAnnee::Repris(saved),
        Some(_) => FluxDeLAnnee::Enregistre,
        None => FluxDeLAnnee::Absent,
    })
}

/// The flux of year N of a bailleur on an EPCI with its saved parameters: the figure the
/// window, the annex, the fiche and the bilans all show. When the bailleur's flux of that year
/// was saved for the département, it is the EPCI's part of the departmental flux (rule 9).
pub fn flux_enregistre(d: &Dossier, bailleur: &str, epci: &str, annee: i32) -> StoreResult<Option<Flux>> {
    let g = groupes(d, bailleur, epci)?;
    if g.is_empty() {
        return Ok(None);
    }
    flux_de_l_epci(d, bailleur, epci, annee, &g).map(Some)
}

/// [`flux_enregistre`] on the EPCI's dwellings already read.
pub fn flux_de_l_epci(d: &Dossier, bailleur: &str, epci: &str, annee: i32, g: &[Groupe]) -> StoreResult<Flux> {
    if let Some(dep) = departement_gouvernant(d, bailleur, g, annee)?
        && let Some(f) = flux_du_departement(d, bailleur, &dep, annee)?
        && let Some(e) = f.de_l_epci(epci)
    {
        return Ok(e.clone());
    }
    let p = parametres(d, bailleur, epci, annee)?;
    Ok(calculer(bailleur, epci, annee, g, &p))
}

/// The bailleur's dwellings of a département set aside at import as outside the dossier's
/// territory (its rows `commune_hors_territoire` in its active imports whose commune is in the
/// département), by commune (its name), most first: a departmental total of the dossier does
/// not count them, and says so.
pub fn hors_du_dossier(d: &Dossier, bailleur: &str, departement: &str) -> StoreResult<Vec<(String, u64)>> {
    let territoire = crate::reference::Territoire::Departement(departement.to_string());
    let mut par_commune: BTreeMap<String, u64> = BTreeMap::new();
    for (valeur, n) in d.hors_territoire_du_bailleur(bailleur)? {
        if let Ok(c) = reference().resolve_commune(&valeur, &territoire) {
            *par_commune.entry(c.nom.to_string()).or_default() += n;
        }
    }
    let mut v: Vec<(String, u64)> = par_commune.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(v)
}
