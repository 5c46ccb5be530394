//! The yearly flux of a bailleur on an EPCI or a département (domaine.md, « The yearly flux »
//! and « Rules of the shares »): parc, exclusions, assiette, libérations, soustraits, flux,
//! each réservataire's rate on its own perimeter and its logements, the breakdown by commune
//! with exact margins, the flux qualifié, and the legal alerts. One engine for the window,
//! the command line, the annex, the fiche récapitulative and the bilans.

pub mod arrondi;
mod assiette;
mod departement;
mod dossier;
mod etat;
mod parametres;
mod resultat;

use crate::consolidate::{libelle_reservataire, nom_commune, nom_epci};
use crate::model::{Financement, Portee as PorteeId, Regle, Reservataire, TypologieGrille};
use crate::reference::reference;
use crate::text::key;
pub use arrondi::largest_remainder;
use arrondi::{floor, round};
pub use assiette::*;
pub use departement::calculer_departement;
pub use dossier::{
    FluxDeLAnnee, ParametreRefuse, cle_departement, departement_enregistre, departement_gouvernant,
    enregistrer_parametres, enregistrer_parametres_du_departement, entrees_du_departement, epcis_du_departement,
    flux_de_l_annee, flux_de_l_epci, flux_du_departement, flux_enregistre, groupes, groupes_par_epci,
    groupes_perimetre, hors_du_dossier, parametres, parametres_de_l_annee, parametres_du_departement, verifier,
    verifier_departement,
};
use etat::*;
pub use parametres::*;
pub use resultat::*;
use std::collections::{BTreeMap, BTreeSet};

const ETAT: Reservataire = Reservataire::ETAT;
const FONCTIONNAIRES: Reservataire = Reservataire::FONCTIONNAIRES;
const NON_RESERVE: Reservataire = Reservataire::NON_RESERVE;

/// One group of dwellings of the bailleur, in one commune.
#[derive(Debug, Clone, PartialEq)]
pub struct Groupe {
    pub commune: String,
    pub reservataire: Reservataire,
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub nature: Option<String>,
    pub logements: u64,
}

/// The departmental réservataires' perimeter when the flux is computed for a département
/// (rule 9): its code, its assiette, their stocks, and the parameters given for it (the
/// State's rate, the departmental réservataires' rates).
#[derive(Debug, Clone)]
struct Departemental {
    code: String,
    assiette: u64,
    stocks: BTreeMap<Reservataire, u64>,
    p: FluxParametres,
}

/// Whose perimeter a réservataire's convention covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Portee {
    Etat,
    Commune,
    Epci,
    Departementale,
    NonReserve,
}

fn portee(id: &str) -> Portee {
    match PorteeId::de(id) {
        PorteeId::Etat | PorteeId::Fonctionnaires => Portee::Etat,
        PorteeId::NonReserve => Portee::NonReserve,
        PorteeId::Commune => Portee::Commune,
        PorteeId::Epci => Portee::Epci,
        PorteeId::ActionLogement
        | PorteeId::Defense
        | PorteeId::Departement
        | PorteeId::Region
        | PorteeId::Autre
        | PorteeId::Inconnue => Portee::Departementale,
    }
}

/// Whether a réservataire signs its convention for the département (rule 9: the State, Action
/// Logement, the département, the région, the others).
pub fn est_departemental(id: &str) -> bool {
    matches!(portee(id), Portee::Etat | Portee::Departementale)
}

/// Whether a réservataire is a collectivité or a groupement (rule 6: at most 20 % together).
pub fn est_collectivite(id: &str) -> bool {
    PorteeId::de(id).est_collectivite()
}

fn pct(x: f64) -> String {
    crate::format::pourcentage(x)
}

/// The mean of the years entered (none entered: no mean, never a zero).
fn mean(v: &[u64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<u64>() as f64 / v.len() as f64)
}

/// The libérations of the year and the rotation rate, with the default flagged.
fn liberations(assiette: u64, p: &FluxParametres, alertes: &mut Vec<Alerte>) -> (u64, f64) {
    let rotation = match (p.rotation_pct, mean(&p.departs), mean(&p.entrees)) {
        (Some(r), _, _) => r / 100.0,
        (None, d, e) if assiette > 0 && (d.is_some() || e.is_some()) => {
            let n = match p.methode_rotation.unwrap_or(MethodeRotation::Departs) {
                MethodeRotation::Entrees => e.or(d),
                MethodeRotation::Moyenne => match (d, e) {
                    (Some(d), Some(e)) => Some((d + e) / 2.0),
                    (d, e) => d.or(e),
                },
                MethodeRotation::Departs => d.or(e),
            };
            n.unwrap_or(0.0) / assiette as f64
        }
        _ => {
            if p.baux_signes.is_empty() {
                alertes.push(Alerte::new(
                    Regle::ParametreParDefaut,
                    "taux de rotation non renseigné : aucune libération comptée tant qu'il n'est pas saisi",
                ));
            }
            0.0
        }
    };
    let l = match mean(&p.baux_signes) {
        Some(m) => round(m),
        None => round(assiette as f64 * rotation),
    };
    let rotation = if p.rotation_pct.is_none() && !p.baux_signes.is_empty() && assiette > 0 {
        l as f64 / assiette as f64
    } else {
        rotation
    };
    (l, rotation)
}

/// The mutations of the year: a number, a percentage of the libérations, the CUS objective, the
/// mean of the years entered, else 10 % of the libérations (flagged).
fn mutations(liberations: u64, p: &FluxParametres, alertes: &mut Vec<Alerte>) -> u64 {
    if let Some(n) = p.mutations {
        n
    } else if let Some(pc) = p.mutations_pct {
        round(liberations as f64 * pc / 100.0)
    } else if let Some(n) = p.mutations_cus {
        n
    } else if let Some(m) = mean(&p.mutations_3_ans) {
        round(m)
    } else {
        alertes.push(Alerte::new(
            Regle::ParametreParDefaut,
            "mutations internes : ni objectif CUS ni moyenne des années passées, 10 % des libérations retenus",
        ));
        round(liberations as f64 * 0.10)
    }
}

/// The soustraits by category: every category of the one list, 0 when nothing was entered.
fn soustraits(liberations: u64, p: &FluxParametres, alertes: &mut Vec<Alerte>) -> BTreeMap<String, u64> {
    let mut s: BTreeMap<String, u64> = Soustrait::ALL.iter().map(|c| (c.as_str().to_string(), 0)).collect();
    s.insert(Soustrait::Mutations.as_str().into(), mutations(liberations, p, alertes));
    for c in &Soustrait::ALL[1..] {
        let n = p.soustrait(*c).unwrap_or(0);
        s.insert(c.as_str().into(), n);
        // Until the agreement is recorded (`--accord-prefet CATEGORIE=REFERENCE`).
        if c.accord_prefet() && n > 0 && p.accord_prefet(*c).is_none() {
            alertes.push(Alerte::new(
                Regle::AccordPrefetRequis,
                format!("soustrait « {} » ({n}) : déduction soumise à l'accord du préfet", c.court()),
            ));
        }
    }
    s
}

/// What comes before the shares, for one EPCI: libérations, soustraits, flux, and the flux of
/// each commune (in proportion to its assiette, largest remainder).
struct Amont {
    liberations: u64,
    taux_rotation: f64,
    soustraits: BTreeMap<String, u64>,
    flux: u64,
    f_c: Vec<u64>,
    alertes: Vec<Alerte>,
}

fn amont(base: &Base, p: &FluxParametres) -> Amont {
    let mut alertes = Vec::new();
    let assiette = base.assiette();
    let (liberations, taux_rotation) = liberations(assiette, p, &mut alertes);
    let soustraits = soustraits(liberations, p, &mut alertes);
    let total: u64 = soustraits.values().sum();
    if total > liberations {
        alertes.push(Alerte::new(
            Regle::SoustraitsSupLiberations,
            format!("les soustraits ({total}) dépassent les libérations ({liberations}) : flux ramené à 0, à vérifier"),
        ));
    }
    let flux = liberations.saturating_sub(total);
    let f_c = largest_remainder(flux, &base.communes.iter().map(|c| c.assiette as f64).collect::<Vec<_>>());
    Amont { liberations, taux_rotation, soustraits, flux, f_c, alertes }
}

/// One EPCI of a computation: its dwellings (exclusions applied) and its parameters.
struct Entree {
    epci: String,
    base: Base,
    p: FluxParametres,
}

/// Computes the territorialised flux of a bailleur on an EPCI from its dwellings' groups
/// and the parameters.
pub fn calculer(bailleur: &str, epci: &str, annee: i32, groupes: &[Groupe], p: &FluxParametres) -> Flux {
    let entree = Entree { epci: epci.to_string(), base: Base::new(groupes, p), p: p.clone() };
    let Calcul { mut epcis, .. } = moteur(bailleur, annee, &[entree], None);
    epcis.remove(0)
}

/// A réservataire of one EPCI before rounding: its part (rate, perimeter) and its quota in
/// each commune (negative where it cannot have logements).
struct Quotas {
    part: PartReservataire,
    q: Vec<f64>,
}

/// What the engine gives for one EPCI or the EPCIs of a département.
struct Calcul {
    epcis: Vec<Flux>,
    /// The alerts about the State's share (once for a département).
    alertes_etat: Vec<Alerte>,
    etat: PartEtat,
    /// The State's logements outside QPV against the floor (rule 7), on the whole computation.
    etat_hors_qpv: EtatHorsQpv,
}

/// The engine (rules 1–9): the State's share on the sum of the flux, every other réservataire
/// on its perimeter, then one controlled rounding of the réservataire × commune table, grouped
/// by EPCI, with every margin exact.
fn moteur(bailleur: &str, annee: i32, entrees: &[Entree], dep: Option<&Departemental>) -> Calcul {
    let amonts: Vec<Amont> = entrees.iter().map(|e| amont(&e.base, &e.p)).collect();
    let total_flux: u64 = amonts.iter().map(|a| a.flux).sum();
    // Rules 1–2 on the sum of the flux: the State first, in whole dwellings.
    let mut alertes_etat = Vec::new();
    let etat = etat_du_calcul(entrees, dep, total_flux, &mut alertes_etat);
    let s_total = etat.s_total;
    // The State's quota in a commune: its total × the commune's part of the flux (rule 3).
    let etat_q = |fc: u64| if total_flux > 0 { s_total as f64 * fc as f64 / total_flux as f64 } else { 0.0 };

    // Rule 4: every other réservataire on its own perimeter, EPCI by EPCI.
    let mut par_epci: Vec<(Vec<Quotas>, Vec<f64>, Vec<Alerte>)> = Vec::new();
    for (e, a) in entrees.iter().zip(&amonts) {
        par_epci.push(quotas_de_l_epci(e, a, &etat_q, dep));
    }

    // One controlled rounding of the réservataire × commune table, every margin exact.
    let table = Table::new(&amonts);
    let rangs = rangs_de_l_arrondi(&par_epci, dep);
    let Arrondi { etat_c, cellules } = arrondir(&table, &rangs, &par_epci, &amonts, &etat_q, s_total, total_flux);
    // The State's fonctionnaires among its logements in each commune (their total imposed,
    // each commune and each EPCI the floor or the ceiling of its share).
    let fo_c = fonctionnaires_par_commune(&etat_c, &table.colonnes, total_flux, etat.fo_total, s_total, &table.offset);

    let etat_k: Vec<u64> = (0..entrees.len()).map(|k| table.de_l_epci(&etat_c, k).iter().sum()).collect();
    let HorsQpv { etat_hors, h_flux, plancher, etat_hors_k, h_k } =
        etat_hors_qpv(entrees, &amonts, &etat_k, s_total, dep, &mut alertes_etat);

    let mut epcis = Vec::new();
    for (k, ((e, a), (qs, nr_q, alertes_k))) in entrees.iter().zip(&amonts).zip(par_epci).enumerate() {
        let cellule = |id: &str, c: usize| cellules.get(&(k, id.to_string())).map(|v| v[c]).unwrap_or(0);
        let etat_cells = table.de_l_epci(&etat_c, k);
        let fo_cells = table.de_l_epci(&fo_c, k);
        let fo_k: u64 = fo_cells.iter().sum();
        let mut parts = etat.parts(dep, &e.epci, &e.base, etat_k[k] - fo_k, fo_k);
        parts.extend(parts_des_autres(qs, a, &cellule));
        let nr = part_du_non_reserve(e, a, &nr_q, &parts, etat.r, &cellule);
        parts.push(nr);
        let communes_out = flux_par_commune(e, a, etat_cells, fo_cells, &parts, cellule);
        let source = e.p.annee_source.or(dep.and_then(|d| d.p.annee_source)).filter(|y| *y < annee);
        let mut alertes = a.alertes.clone();
        alertes.extend(alertes_etat.iter().cloned());
        alertes.extend(alertes_k);
        alertes.extend(alertes_collectivites(&e.base.communes, &a.f_c, &parts, &e.epci));
        alertes.extend(source.map(|y| parametres_repris(y, annee)));
        let flux_qualifie = flux_qualifie(&e.base, etat_k[k], fo_k, etat_hors_k[k], &parts);
        let parc = e.base.parc();
        let assiette = e.base.assiette();
        epcis.push(Flux {
            bailleur: bailleur.into(),
            epci: Some(e.epci.clone()),
            departement: dep.map(|d| d.code.clone()),
            annee,
            parc,
            exclus: parc - assiette,
            exclusions: e.base.exclusions.clone(),
            assiette,
            taux_rotation: a.taux_rotation,
            liberations: a.liberations,
            soustraits: a.soustraits.clone(),
            flux: a.flux,
            parametres_a_confirmer: source.is_some(),
            reservataires: parts,
            communes: communes_out,
            flux_qualifie,
            etat_hors_qpv: EtatHorsQpv {
                logements: etat_hors_k[k],
                flux_hors_qpv: h_k[k],
                plancher: floor(0.30 * h_k[k] as f64),
                departemental: dep.is_some(),
            },
            alertes,
            epcis: vec![],
            parametres: e.p.clone(),
        });
    }
    let etat_hors_qpv = EtatHorsQpv { logements: etat_hors, flux_hors_qpv: h_flux, plancher, departemental: false };
    Calcul { epcis, alertes_etat, etat, etat_hors_qpv }
}

/// The columns of the rounding: the communes of every EPCI one after the other, with their flux.
struct Table {
    /// Where each EPCI's communes start (and, last, the number of columns).
    offset: Vec<usize>,
    /// Each commune's flux: the column's total.
    colonnes: Vec<u64>,
}

impl Table {
    fn new(amonts: &[Amont]) -> Self {
        let mut offset = vec![0usize];
        for a in amonts {
            offset.push(offset.last().copied().unwrap_or(0) + a.f_c.len());
        }
        Table { offset, colonnes: amonts.iter().flat_map(|a| a.f_c.iter().copied()).collect() }
    }

    /// The values of the communes of EPCI `k` in a row of the table.
    fn de_l_epci<'a>(&self, ligne: &'a [u64], k: usize) -> &'a [u64] {
        &ligne[self.offset[k]..self.offset[k + 1]]
    }
}

/// The rows of the rounding after the State's: a departmental réservataire is one row over every
/// EPCI (rule 9); any other réservataire, and the non réservé, one row in each EPCI. Each row
/// (by id, then EPCI of a local row) → its groups: [(EPCI, index in its quotas, `usize::MAX`
/// for the non réservé)].
type Rangs = BTreeMap<(Reservataire, usize), Vec<(usize, usize)>>;

fn rangs_de_l_arrondi(par_epci: &[(Vec<Quotas>, Vec<f64>, Vec<Alerte>)], dep: Option<&Departemental>) -> Rangs {
    let mut rangs: Rangs = BTreeMap::new();
    for (k, (qs, _, _)) in par_epci.iter().enumerate() {
        for (i, x) in qs.iter().enumerate() {
            let local = dep.is_some() && !est_departemental(&x.part.id);
            rangs.entry((x.part.id.clone(), if local { k } else { 0 })).or_default().push((k, i));
        }
    }
    for k in 0..par_epci.len() {
        rangs.insert((NON_RESERVE, k), vec![(k, usize::MAX)]);
    }
    rangs
}

/// The table rounded: the State's logements in each commune (all EPCIs one after the other),
/// and each other row's logements in each commune, by (EPCI, réservataire).
struct Arrondi {
    etat_c: Vec<u64>,
    cellules: BTreeMap<(usize, String), Vec<u64>>,
}

/// Rules 2–3: the State's row with its total imposed; the others (non réservé included, in id
/// order) share F − State by largest remainder of their quotas; then one controlled rounding of
/// the whole table, every row, commune and EPCI total exact, the non réservé's cells last.
fn arrondir(
    table: &Table,
    rangs: &Rangs,
    par_epci: &[(Vec<Quotas>, Vec<f64>, Vec<Alerte>)],
    amonts: &[Amont],
    etat_q: &dyn Fn(u64) -> f64,
    s_total: u64,
    total_flux: u64,
) -> Arrondi {
    let offset = &table.offset;
    let cles: Vec<(Reservataire, usize)> = rangs.keys().cloned().collect();
    let groupes_du_rang = |cle: &(Reservataire, usize)| -> Vec<Vec<(usize, f64)>> {
        rangs[cle]
            .iter()
            .map(|&(k, i)| {
                let q: &[f64] = if i == usize::MAX { &par_epci[k].1 } else { &par_epci[k].0[i].q };
                q.iter().enumerate().map(|(c, v)| (offset[k] + c, *v)).collect()
            })
            .collect()
    };
    let mut lignes = vec![arrondi::Ligne {
        groupes: amonts
            .iter()
            .enumerate()
            .map(|(k, a)| a.f_c.iter().enumerate().map(|(c, fc)| (offset[k] + c, etat_q(*fc))).collect())
            .collect(),
        total: arrondi::Total::Exact(s_total),
    }];
    let autres: Vec<Vec<Vec<(usize, f64)>>> = cles.iter().map(groupes_du_rang).collect();
    let poids: Vec<f64> = autres.iter().map(|g| g.iter().flatten().map(|(_, q)| q.max(0.0)).sum()).collect();
    let preferes = largest_remainder(total_flux - s_total, &poids);
    for ((g, n), cle) in autres.into_iter().zip(preferes).zip(&cles) {
        // The bailleur keeps the remainder: its cells give way to the réservataires'.
        let total =
            if cle.0 == Reservataire::NON_RESERVE { arrondi::Total::Reste(n) } else { arrondi::Total::Prefere(n) };
        lignes.push(arrondi::Ligne { groupes: g, total });
    }
    let t = arrondi::controle(&lignes, &table.colonnes);
    let etat_c: Vec<u64> = t[0].iter().flatten().copied().collect();
    let mut cellules: BTreeMap<(usize, String), Vec<u64>> = BTreeMap::new();
    for (cle, valeurs) in cles.iter().zip(&t[1..]) {
        for (&(k, _), v) in rangs[cle].iter().zip(valeurs) {
            cellules.insert((k, cle.0.to_string()), v.clone());
        }
    }
    Arrondi { etat_c, cellules }
}

/// The réservataires other than the State in one EPCI, with their logements there (the sum of
/// their cells), in id order.
fn parts_des_autres(qs: Vec<Quotas>, a: &Amont, cellule: &dyn Fn(&str, usize) -> u64) -> Vec<PartReservataire> {
    let mut autres: Vec<PartReservataire> = qs
        .into_iter()
        .map(|mut x| {
            x.part.logements = (0..a.f_c.len()).map(|c| cellule(&x.part.id, c)).sum();
            x.part
        })
        .collect();
    autres.sort_by(|a, b| a.id.cmp(&b.id));
    autres
}

/// The non réservé of one EPCI, last: its logements, and its rate, the share of the flux its
/// quotas took (with no flux, what the others leave).
fn part_du_non_reserve(
    e: &Entree,
    a: &Amont,
    nr_q: &[f64],
    parts: &[PartReservataire],
    r_etat: f64,
    cellule: &dyn Fn(&str, usize) -> u64,
) -> PartReservataire {
    let autres_taux: f64 = parts[2..].iter().map(|x| x.taux_reduit.unwrap_or(x.taux)).sum();
    let nr_q: f64 = nr_q.iter().sum();
    PartReservataire {
        id: NON_RESERVE,
        perimetre: Perimetre::Epci(e.epci.clone()),
        assiette: e.base.assiette(),
        stock: e.base.stock(&NON_RESERVE),
        taux: if a.flux > 0 { nr_q / a.flux as f64 } else { (1.0 - r_etat - autres_taux).max(0.0) },
        taux_demande: None,
        logements: (0..a.f_c.len()).map(|c| cellule(&NON_RESERVE, c)).sum(),
        origine: OrigineTaux::Stock,
        taux_reduit: None,
        apport: false,
    }
}

/// Parameters taken from an earlier year: to confirm for this one.
fn parametres_repris(source: i32, annee: i32) -> Alerte {
    Alerte::new(
        Regle::ParametreAConfirmer,
        format!("paramètres repris de {source} : à confirmer pour {annee} (enregistrez-les pour les confirmer)"),
    )
}

/// The flux of each commune of an EPCI and each réservataire's logements in it (the State
/// always listed, the others when they have some): `cellule(id, commune)` gives them.
fn flux_par_commune(
    e: &Entree,
    a: &Amont,
    etat_cells: &[u64],
    fo_cells: &[u64],
    parts: &[PartReservataire],
    cellule: impl Fn(&str, usize) -> u64,
) -> Vec<FluxCommune> {
    e.base
        .communes
        .iter()
        .enumerate()
        .map(|(c, com)| {
            let mut res = vec![
                LogementsReservataire { id: ETAT, logements: etat_cells[c] - fo_cells[c] },
                LogementsReservataire { id: FONCTIONNAIRES, logements: fo_cells[c] },
            ];
            for part in &parts[2..] {
                let n = cellule(&part.id, c);
                if n > 0 {
                    res.push(LogementsReservataire { id: part.id.clone(), logements: n });
                }
            }
            res.retain(|x| x.logements > 0 || x.id == ETAT);
            FluxCommune {
                commune: com.insee.clone(),
                parc: com.parc,
                exclus: com.exclus,
                exclusions: com.exclusions.clone(),
                assiette: com.assiette,
                flux: a.f_c[c],
                reservataires: res,
            }
        })
        .collect()
}

/// `total` split in proportion to `w`, each part within `[lo, hi]` (largest remainder, then the
/// parts out of bounds moved to those with room).
fn borner(total: u64, w: &[f64], lo: &[u64], hi: &[u64]) -> Vec<u64> {
    let mut v = largest_remainder(total, w);
    if v.iter().sum::<u64>() < total {
        // No weight at all: the room left, in order.
        let mut reste = total;
        for (i, x) in v.iter_mut().enumerate() {
            *x = hi[i].min(reste);
            reste -= *x;
        }
    }
    for i in 0..v.len() {
        v[i] = v[i].clamp(lo[i], hi[i].max(lo[i]));
    }
    let mut s: i64 = v.iter().sum::<u64>() as i64 - total as i64;
    for i in 0..v.len() {
        while s > 0 && v[i] > lo[i] {
            v[i] -= 1;
            s -= 1;
        }
        while s < 0 && v[i] < hi[i] {
            v[i] += 1;
            s += 1;
        }
    }
    v
}

/// Rule 4 for one EPCI: each réservataire other than the State and the non réservé on its own
/// perimeter, its quota in each commune (its rate × the commune's flux), reduced pro rata where
/// the shares exceed what the State leaves (rule 5); and the non réservé's quotas.
fn quotas_de_l_epci(
    e: &Entree,
    a: &Amont,
    etat_q: &dyn Fn(u64) -> f64,
    dep: Option<&Departemental>,
) -> (Vec<Quotas>, Vec<f64>, Vec<Alerte>) {
    let base = &e.base;
    let communes = &base.communes;
    let nc = communes.len();
    let assiette = base.assiette();
    let mut alertes = Vec::new();
    let mut ids: BTreeSet<Reservataire> = base.ids();
    ids.extend(e.p.taux_fixes.keys().cloned());
    if let Some(d) = dep {
        ids.extend(d.stocks.keys().cloned());
        ids.extend(d.p.taux_fixes.keys().cloned());
        // A commune of another EPCI of the département has no part here.
        ids.retain(|id| {
            !matches!(portee(id), Portee::Commune) || base.stock(id) > 0 || e.p.taux_fixes.contains_key(id.as_str())
        });
    }
    ids.retain(|id| !matches!(portee(id), Portee::Etat | Portee::NonReserve));
    let apports: BTreeSet<&str> =
        e.p.apports.iter().chain(dep.iter().flat_map(|d| d.p.apports.iter())).map(Reservataire::as_str).collect();
    let mut out: Vec<Quotas> = Vec::new();
    for id in &ids {
        let fixe_pct = match dep {
            Some(d) if est_departemental(id) => d.p.taux_fixes.get(id.as_str()),
            _ => e.p.taux_fixes.get(id.as_str()),
        };
        let fixe = fixe_pct.map(|t| (t / 100.0).clamp(0.0, 1.0));
        let commune_propre = PorteeId::Commune.code(id).and_then(|x| {
            let i = communes.iter().position(|c| c.insee == x)?;
            let outside = base.stock(id) - communes[i].stocks.get(id).copied().unwrap_or(0);
            (outside == 0).then_some(i)
        });
        let (perimetre, ass, stock) = match (portee(id), commune_propre, dep) {
            (Portee::Commune, Some(i), _) => (
                Perimetre::Commune(communes[i].insee.clone()),
                communes[i].assiette,
                communes[i].stocks.get(id).copied().unwrap_or(0),
            ),
            (Portee::Departementale, _, Some(d)) => {
                (Perimetre::Departement(d.code.clone()), d.assiette, d.stocks.get(id).copied().unwrap_or(0))
            }
            _ => (Perimetre::Epci(e.epci.clone()), assiette, base.stock(id)),
        };
        let taux = fixe.unwrap_or(if ass > 0 { stock as f64 / ass as f64 } else { 0.0 });
        let q: Vec<f64> = (0..nc)
            .map(|c| match &perimetre {
                Perimetre::Commune(x) if *x != communes[c].insee => -1.0,
                _ => taux * a.f_c[c] as f64,
            })
            .collect();
        out.push(Quotas {
            part: PartReservataire {
                id: id.clone(),
                perimetre,
                assiette: ass,
                stock,
                taux,
                taux_demande: None,
                logements: 0,
                origine: if fixe.is_some() { OrigineTaux::Fixe } else { OrigineTaux::Stock },
                taux_reduit: None,
                apport: apports.contains(id.as_str()),
            },
            q,
        });
    }

    // Rule 5: above 100 %, the State keeps its share and the others are reduced pro rata.
    let etat_c: Vec<f64> = a.f_c.iter().map(|fc| etat_q(*fc)).collect();
    let avant: Vec<f64> = out.iter().map(|x| x.q.iter().map(|v| v.max(0.0)).sum()).collect();
    let total_avant = etat_c.iter().sum::<f64>() + avant.iter().sum::<f64>();
    if a.flux > 0 && total_avant > a.flux as f64 * (1.0 + 1e-9) {
        alertes.push(Alerte::new(
            Regle::TotalSup100,
            format!("les parts des réservataires atteignent {} du flux", pct(total_avant / a.flux as f64)),
        ));
    }
    let mut non_reserve_q = vec![0.0; nc];
    for c in 0..nc {
        let fc = a.f_c[c] as f64;
        let dispo = (fc - etat_c[c]).max(0.0);
        let demande: f64 = out.iter().map(|x| x.q[c].max(0.0)).sum();
        if demande > dispo + 1e-9 && demande > 0.0 {
            let k = dispo / demande;
            for x in out.iter_mut() {
                if x.q[c] > 0.0 {
                    x.q[c] *= k;
                }
            }
            alertes.push(
                Alerte::new(
                    Regle::ReductionProrata,
                    format!(
                        "{} : les parts hors État ({}) dépassent ce que laisse l'État ({}) ; réduites au prorata",
                        crate::format::commune_de(&nom_commune(&communes[c].insee)),
                        pct(demande / fc),
                        pct(dispo / fc)
                    ),
                )
                .dans(&communes[c].insee),
            );
        }
        non_reserve_q[c] = (dispo - out.iter().map(|x| x.q[c].max(0.0)).sum::<f64>()).max(0.0);
    }
    for (k, x) in out.iter_mut().enumerate() {
        let apres: f64 = x.q.iter().map(|v| v.max(0.0)).sum();
        if avant[k] > 0.0 && apres < avant[k] * (1.0 - 1e-9) {
            let t = x.part.taux * apres / avant[k];
            x.part.taux_reduit = Some(t);
            alertes.push(
                Alerte::new(
                    Regle::ReductionProrata,
                    format!(
                        "{} : taux ramené de {} à {} (parts au-delà de 100 %)",
                        libelle_reservataire(&x.part.id),
                        pct(x.part.taux),
                        pct(t)
                    ),
                )
                .pour(&x.part.id),
            );
        }
    }
    (out, non_reserve_q, alertes)
}

/// Rule 6: the collectivités' guarantee-based reservations, at most 20 % of the flux on
/// their territory (a commune, its EPCI, its département), unless they brought land or
/// funding: one alert per contributor, in each commune where the ceiling is passed.
fn alertes_collectivites(communes: &[BaseCommune], f_c: &[u64], parts: &[PartReservataire], epci: &str) -> Vec<Alerte> {
    let mut alertes = Vec::new();
    for (c, com) in communes.iter().enumerate() {
        if f_c[c] == 0 {
            continue;
        }
        let dep_code = reference().commune(&com.insee).map(|x| x.departement.to_string()).unwrap_or_default();
        let contributeurs: Vec<(&PartReservataire, f64)> = parts
            .iter()
            .filter(|a| est_collectivite(&a.id) && !a.apport)
            .filter_map(|a| {
                let code = a.id.split_once(':').map(|(_, x)| x).unwrap_or_default();
                let concerne = match PorteeId::de(&a.id) {
                    PorteeId::Commune => code == com.insee,
                    PorteeId::Epci => code == epci,
                    PorteeId::Departement => code == dep_code,
                    _ => false,
                };
                let taux = a.taux_reduit.unwrap_or(a.taux);
                (concerne && taux > 0.0).then_some((a, taux))
            })
            .collect();
        let total: f64 = contributeurs.iter().map(|(_, t)| t).sum();
        if total > PLAFOND_COLLECTIVITES + 1e-9 {
            for (a, t) in &contributeurs {
                alertes.push(
                    Alerte::new(
                        Regle::CollectiviteMax20,
                        format!(
                            "{} : {} ; avec les autres collectivités garantes, {} du flux {} (plafond 20 %) — à justifier par un apport de terrain ou de financement",
                            libelle_reservataire(&a.id),
                            pct(*t),
                            pct(total),
                            crate::format::a_commune(&nom_commune(&com.insee))
                        ),
                    )
                    .pour(&a.id)
                    .dans(&com.insee),
                );
            }
        }
    }
    alertes
}

/// Rules 7–8, the flux qualifié (indicative): the State follows the whole assiette, `hors` of
/// its logements outside QPV; the others their own stock.
fn flux_qualifie(
    base: &Base,
    s_total: u64,
    fo_total: u64,
    etat_hors: u64,
    parts: &[PartReservataire],
) -> BTreeMap<String, Vec<CelluleQualifiee>> {
    let mut flux_qualifie: BTreeMap<String, Vec<CelluleQualifiee>> = BTreeMap::new();
    let split_hors = largest_remainder(etat_hors, &[(s_total - fo_total) as f64, fo_total as f64]);
    let hors_cells: BTreeMap<Cle, u64> = base.toutes.iter().filter(|(k, _)| !k.2).map(|(k, n)| (*k, *n)).collect();
    let qpv_cells: BTreeMap<Cle, u64> = base.toutes.iter().filter(|(k, _)| k.2).map(|(k, n)| (*k, *n)).collect();
    for (i, (id, total)) in [(ETAT, s_total - fo_total), (FONCTIONNAIRES, fo_total)].into_iter().enumerate() {
        let mut v = repartir(split_hors[i], &hors_cells);
        v.extend(repartir(total - split_hors[i], &qpv_cells));
        flux_qualifie.insert(id.to_string(), v);
    }
    for part in &parts[2..] {
        let cells = base.cellules.get(&part.id).filter(|c| c.values().sum::<u64>() > 0).unwrap_or(&base.toutes);
        flux_qualifie.insert(part.id.to_string(), repartir(part.logements, cells));
    }
    flux_qualifie
}

/// `n` logements over cells in proportion to their dwellings (largest remainder).
fn repartir(n: u64, cells: &BTreeMap<Cle, u64>) -> Vec<CelluleQualifiee> {
    let w: Vec<f64> = cells.values().map(|x| *x as f64).collect();
    cells
        .keys()
        .zip(largest_remainder(n, &w))
        .filter(|(_, n)| *n > 0)
        .map(|(&(financement, typologie, qpv), logements)| CelluleQualifiee { financement, typologie, qpv, logements })
        .collect()
}

#[cfg(test)]
mod tests;
