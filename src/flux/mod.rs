//! The yearly flux of a bailleur on an EPCI or a département (domaine.md, « The yearly flux »
//! and « Rules of the shares »): parc, exclusions, assiette, libérations, soustraits, flux,
//! each réservataire's rate on its own perimeter and its logements, the breakdown by commune
//! with exact margins, the flux qualifié, and the legal alerts. One engine for the window,
//! the command line, the annex, the fiche récapitulative and the bilans.

pub mod arrondi;
mod departement;
mod dossier;
mod parametres;
mod resultat;

use crate::consolidate::{libelle_reservataire, nom_commune, nom_epci};
use crate::model::{Financement, TypologieGrille};
use crate::reference::reference;
use crate::text::key;
pub use arrondi::largest_remainder;
use arrondi::{floor, round};
pub use departement::calculer_departement;
pub use dossier::{
    ParametreRefuse, enregistrer_parametres, epcis_du_departement, flux_enregistre, groupes, groupes_par_epci,
    groupes_perimetre, parametres, verifier, verifier_departement,
};
pub use parametres::*;
pub use resultat::*;
use std::collections::{BTreeMap, BTreeSet};

const ETAT: &str = "etat";
const FONCTIONNAIRES: &str = "etat-fonctionnaires";
const NON_RESERVE: &str = "non-reserve";

/// One group of dwellings of the bailleur, in one commune.
#[derive(Debug, Clone, PartialEq)]
pub struct Groupe {
    pub commune: String,
    pub reservataire: String,
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub nature: Option<String>,
    pub logements: u64,
}

/// Exclusion motifs, as the fiche récapitulative lists them.
/// The key `interfaces.md` shows (`"exclusions": {"PLI": …}`): LLI, loyer libre and intermédiaire are PLI.
pub const MOTIF_PLI: &str = "PLI";
pub const MOTIF_FOYERS: &str = "logements-foyers et résidences sociales";
pub const MOTIF_ETUDIANTS: &str = "logements étudiants";
pub const MOTIF_DEFENSE: &str = "défense, sécurité intérieure, santé";
pub const MOTIF_VENTE: &str = "logements en vente ou à démolir";

/// Why a dwelling is outside the assiette, if it is (PLI, specific housing, défense, sale).
pub fn exclusion(g: &Groupe) -> Option<&'static str> {
    if g.financement == Financement::Pli {
        return Some(MOTIF_PLI);
    }
    if let Some(n) = &g.nature {
        let k = key(n);
        const FOYERS: &[&str] = &[
            "foyer",
            "residence sociale",
            "ftm",
            "chrs",
            "medico",
            "pension de famille",
            "residence autonomie",
            "ehpad",
            "fjt",
            "jeunes travailleurs",
            "maison relais",
        ];
        if FOYERS.iter().any(|f| k.contains(f)) {
            return Some(MOTIF_FOYERS);
        }
        if ["etudiant", "crous", "universitaire"].iter().any(|f| k.contains(f)) {
            return Some(MOTIF_ETUDIANTS);
        }
        if ["en vente", "mis en vente", "demolition", "a demolir", "l 443 7"].iter().any(|f| k.contains(f)) {
            return Some(MOTIF_VENTE);
        }
    }
    if g.reservataire == "defense" {
        return Some(MOTIF_DEFENSE);
    }
    None
}

/// The assiette of one commune and the stocks in it.
#[derive(Debug, Clone, Default)]
struct BaseCommune {
    insee: String,
    parc: u64,
    exclus: u64,
    exclusions: BTreeMap<String, u64>,
    assiette: u64,
    /// Réservataire → active stock inside the assiette (non réservé and the State included).
    stocks: BTreeMap<String, u64>,
}

type Cle = (Financement, TypologieGrille, bool);

/// The bailleur's dwellings on the territory, reduced to what the shares need.
#[derive(Debug, Clone, Default)]
struct Base {
    communes: Vec<BaseCommune>,
    exclusions: BTreeMap<String, u64>,
    /// Réservataire → its stock's mix in the assiette (flux qualifié, rule 8).
    cellules: BTreeMap<String, BTreeMap<Cle, u64>>,
    /// The whole assiette's mix (the State's flux qualifié, rule 7).
    toutes: BTreeMap<Cle, u64>,
}

impl Base {
    fn new(groupes: &[Groupe], p: &FluxParametres) -> Self {
        let mut by_commune: BTreeMap<&str, BaseCommune> = BTreeMap::new();
        let mut b = Base::default();
        for g in groupes {
            let c = by_commune
                .entry(&g.commune)
                .or_insert_with(|| BaseCommune { insee: g.commune.clone(), ..Default::default() });
            c.parc += g.logements;
            match exclusion(g) {
                Some(motif) => {
                    c.exclus += g.logements;
                    *c.exclusions.entry(motif.to_string()).or_default() += g.logements;
                    *b.exclusions.entry(motif.to_string()).or_default() += g.logements;
                }
                None => {
                    c.assiette += g.logements;
                    *c.stocks.entry(g.reservataire.clone()).or_default() += g.logements;
                    let k = (g.financement, g.typologie, g.qpv);
                    *b.cellules.entry(g.reservataire.clone()).or_default().entry(k).or_default() += g.logements;
                    *b.toutes.entry(k).or_default() += g.logements;
                }
            }
        }
        b.communes = by_commune.into_values().collect();
        for e in &p.exclusions_manuelles {
            b.exclure(e);
        }
        b
    }

    /// A hand-entered exclusion (rule 10): in its commune, else spread over the communes by
    /// their assiettes (or by the réservataire's stock when it names one).
    fn exclure(&mut self, e: &ExclusionManuelle) {
        let targets: Vec<usize> = (0..self.communes.len())
            .filter(|&i| e.commune.as_ref().is_none_or(|c| *c == self.communes[i].insee))
            .collect();
        let weight = |c: &BaseCommune| match &e.reservataire {
            Some(id) => c.stocks.get(id).copied().unwrap_or(0) as f64,
            None => c.assiette as f64,
        };
        let w: Vec<f64> = targets.iter().map(|&i| weight(&self.communes[i])).collect();
        let split = largest_remainder(e.logements, &w);
        let mut applied = 0;
        for (&i, n) in targets.iter().zip(split) {
            let c = &mut self.communes[i];
            let mut n = n.min(c.assiette);
            if let Some(id) = &e.reservataire {
                let s = c.stocks.entry(id.clone()).or_default();
                n = n.min(*s);
                *s -= n;
            }
            c.assiette -= n;
            c.exclus += n;
            if n > 0 {
                *c.exclusions.entry(e.motif.clone()).or_default() += n;
            }
            applied += n;
        }
        if applied > 0 {
            *self.exclusions.entry(e.motif.clone()).or_default() += applied;
        }
    }

    fn parc(&self) -> u64 {
        self.communes.iter().map(|c| c.parc).sum()
    }

    fn assiette(&self) -> u64 {
        self.communes.iter().map(|c| c.assiette).sum()
    }

    fn stock(&self, id: &str) -> u64 {
        self.communes.iter().map(|c| c.stocks.get(id).copied().unwrap_or(0)).sum()
    }

    fn ids(&self) -> BTreeSet<String> {
        self.communes.iter().flat_map(|c| c.stocks.keys().cloned()).collect()
    }
}

/// The departmental réservataires' stocks and the assiette of the département, when the flux
/// of an EPCI is computed as part of `--departement` (rule 9).
#[derive(Debug, Clone)]
struct Departemental {
    code: String,
    assiette: u64,
    stocks: BTreeMap<String, u64>,
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
    match id.split_once(':') {
        _ if id == ETAT || id == FONCTIONNAIRES => Portee::Etat,
        _ if id == NON_RESERVE => Portee::NonReserve,
        Some(("commune", _)) => Portee::Commune,
        Some(("epci", _)) => Portee::Epci,
        _ => Portee::Departementale,
    }
}

/// Whether a réservataire is a collectivité or a groupement (rule 6).
fn collectivite(id: &str) -> bool {
    id.starts_with("commune:") || id.starts_with("epci:") || id.starts_with("departement:") || id.starts_with("region:")
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
            let n = match p.methode_rotation.as_deref() {
                Some("entrees") => e.or(d),
                Some("moyenne") => match (d, e) {
                    (Some(d), Some(e)) => Some((d + e) / 2.0),
                    (d, e) => d.or(e),
                },
                _ => d.or(e),
            };
            n.unwrap_or(0.0) / assiette as f64
        }
        _ => {
            if p.baux_signes.is_empty() {
                alertes.push(Alerte::new(
                    "parametre_par_defaut",
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

/// The soustraits by motif, with the mutations' default flagged.
fn soustraits(liberations: u64, p: &FluxParametres, alertes: &mut Vec<Alerte>) -> BTreeMap<String, u64> {
    let mut s: BTreeMap<String, u64> = BTreeMap::new();
    let mutations = if let Some(n) = p.mutations {
        n
    } else if let Some(pc) = p.mutations_pct {
        round(liberations as f64 * pc / 100.0)
    } else if let Some(n) = p.mutations_cus {
        n
    } else if let Some(m) = mean(&p.mutations_3_ans) {
        round(m)
    } else {
        alertes.push(Alerte::new(
            "parametre_par_defaut",
            "mutations internes : ni objectif CUS ni moyenne des années passées, 10 % des libérations retenus",
        ));
        round(liberations as f64 * 0.10)
    };
    s.insert("mutations".into(), mutations);
    s.entry("relogements".into()).or_insert(0);
    s.entry("ventes".into()).or_insert(0);
    for (motif, n, _) in &p.soustraits {
        *s.entry(motif.clone()).or_default() += n;
        if accord_prefet_requis(motif) && *n > 0 {
            alertes.push(Alerte::new(
                "accord_prefet_requis",
                format!("soustrait « {motif} » ({n}) : déduction soumise à l'accord du préfet"),
            ));
        }
    }
    s
}

/// Computes the territorialised flux of a bailleur on an EPCI from its dwellings' groups
/// and the parameters.
pub fn calculer(bailleur: &str, epci: &str, annee: i32, groupes: &[Groupe], p: &FluxParametres) -> Flux {
    calculer_sur(bailleur, epci, annee, &Base::new(groupes, p), p, None)
}

fn calculer_sur(
    bailleur: &str,
    epci: &str,
    annee: i32,
    base: &Base,
    p: &FluxParametres,
    dep: Option<&Departemental>,
) -> Flux {
    let mut alertes = Vec::new();
    let parc = base.parc();
    let assiette = base.assiette();
    let (liberations, taux_rotation) = liberations(assiette, p, &mut alertes);
    let soustraits = soustraits(liberations, p, &mut alertes);
    let total_soustraits: u64 = soustraits.values().sum();
    if total_soustraits > liberations {
        alertes.push(Alerte::new(
            "soustraits_sup_liberations",
            format!(
                "les soustraits ({total_soustraits}) dépassent les libérations ({liberations}) : flux ramené à 0, à vérifier"
            ),
        ));
    }
    let flux = liberations.saturating_sub(total_soustraits);
    let communes = &base.communes;
    let nc = communes.len();
    let f_c = largest_remainder(flux, &communes.iter().map(|c| c.assiette as f64).collect::<Vec<_>>());

    // The perimeter of the departmental réservataires: the EPCI, or the département.
    let perim_dep = |id: &str| match dep {
        Some(d) => (Perimetre::Departement(d.code.clone()), d.assiette, d.stocks.get(id).copied().unwrap_or(0)),
        None => (Perimetre::Epci(epci.to_string()), assiette, base.stock(id)),
    };

    // Rule 1–2: the State first, in whole dwellings.
    let (perim_f, assiette_f, stock_f) = perim_dep(FONCTIONNAIRES);
    let PartEtat { r, r_defaut, f, f_defaut, s_total, fo_total } =
        part_de_l_etat(flux, p, assiette_f, stock_f, &mut alertes);

    // Rule 4: every other réservataire on its own perimeter.
    let mut ids: BTreeSet<String> = base.ids();
    ids.extend(p.taux_fixes.keys().cloned());
    if let Some(d) = dep {
        ids.extend(d.stocks.keys().cloned());
    }
    ids.retain(|id| !matches!(portee(id), Portee::Etat | Portee::NonReserve));
    let mut autres: Vec<PartReservataire> = Vec::new();
    // quotas[k][c], a negative value where the réservataire cannot have logements.
    let mut quotas: Vec<Vec<f64>> = Vec::new();
    let etat_c: Vec<f64> =
        f_c.iter().map(|&fc| if flux > 0 { s_total as f64 * fc as f64 / flux as f64 } else { 0.0 }).collect();
    for id in &ids {
        let fixe = p.taux_fixes.get(id).map(|t| (t / 100.0).clamp(0.0, 1.0));
        let commune_propre = id.strip_prefix("commune:").and_then(|x| {
            let i = communes.iter().position(|c| c.insee == x)?;
            let outside = base.stock(id) - communes[i].stocks.get(id).copied().unwrap_or(0);
            (outside == 0).then_some(i)
        });
        let (perimetre, ass, stock) = match (portee(id), commune_propre) {
            (Portee::Commune, Some(i)) => (
                Perimetre::Commune(communes[i].insee.clone()),
                communes[i].assiette,
                communes[i].stocks.get(id).copied().unwrap_or(0),
            ),
            (Portee::Departementale, _) => perim_dep(id),
            _ => (Perimetre::Epci(epci.to_string()), assiette, base.stock(id)),
        };
        let taux = fixe.unwrap_or(if ass > 0 { stock as f64 / ass as f64 } else { 0.0 });
        let q: Vec<f64> = (0..nc)
            .map(|c| match &perimetre {
                Perimetre::Commune(x) if *x != communes[c].insee => -1.0,
                _ => taux * f_c[c] as f64,
            })
            .collect();
        quotas.push(q);
        autres.push(PartReservataire {
            id: id.clone(),
            perimetre,
            assiette: ass,
            stock,
            taux,
            logements: 0,
            origine: if fixe.is_some() { "fixe" } else { "stock" },
            taux_reduit: None,
            apport: p.apports.contains(id),
        });
    }

    // Rule 5: above 100 %, the State keeps its share and the others are reduced pro rata.
    let avant: Vec<f64> = quotas.iter().map(|q| q.iter().map(|v| v.max(0.0)).sum()).collect();
    let total_avant = r.min(1.0) * flux as f64 + avant.iter().sum::<f64>();
    if flux > 0 && total_avant > flux as f64 * (1.0 + 1e-9) {
        alertes.push(Alerte::new(
            "total_sup_100",
            format!("les parts des réservataires atteignent {} du flux", pct(total_avant / flux as f64)),
        ));
    }
    let mut non_reserve_q = vec![0.0; nc];
    for c in 0..nc {
        let fc = f_c[c] as f64;
        let dispo = (fc - etat_c[c]).max(0.0);
        let demande: f64 = quotas.iter().map(|q| q[c].max(0.0)).sum();
        if demande > dispo + 1e-9 && demande > 0.0 {
            let k = dispo / demande;
            for q in quotas.iter_mut() {
                if q[c] > 0.0 {
                    q[c] *= k;
                }
            }
            alertes.push(
                Alerte::new(
                    "reduction_prorata",
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
        non_reserve_q[c] = (dispo - quotas.iter().map(|q| q[c].max(0.0)).sum::<f64>()).max(0.0);
    }
    for (k, part) in autres.iter_mut().enumerate() {
        let apres: f64 = quotas[k].iter().map(|v| v.max(0.0)).sum();
        if avant[k] > 0.0 && apres < avant[k] * (1.0 - 1e-9) {
            part.taux_reduit = Some(part.taux * apres / avant[k]);
            alertes.push(
                Alerte::new(
                    "reduction_prorata",
                    format!(
                        "{} : taux ramené de {} à {} (parts au-delà de 100 %)",
                        libelle_reservataire(&part.id),
                        pct(part.taux),
                        pct(part.taux * apres / avant[k])
                    ),
                )
                .pour(&part.id),
            );
        }
    }

    // Totals: the others (non réservé included, in id order) share F − State.
    let nr_pos = autres.partition_point(|a| a.id.as_str() < NON_RESERVE);
    let mut weights: Vec<f64> = quotas.iter().map(|q| q.iter().map(|v| v.max(0.0)).sum()).collect();
    weights.insert(nr_pos, non_reserve_q.iter().sum());
    let reste = flux - s_total;
    let mut totaux = largest_remainder(reste, &weights);
    if totaux.iter().sum::<u64>() < reste {
        totaux[nr_pos] += reste - totaux.iter().sum::<u64>();
    }

    // The réservataire × commune table, both margins exact. The State first, uniform in every
    // commune (largest remainder of its total over the communes' flux, so within one dwelling
    // of its rate × F_c); then the others by controlled rounding of what the State leaves.
    let etat_par_commune = largest_remainder(s_total, &f_c.iter().map(|n| *n as f64).collect::<Vec<_>>());
    let mut x: Vec<Vec<f64>> = Vec::new();
    let mut rows = Vec::new();
    for (k, q) in quotas.iter().enumerate() {
        if k == nr_pos {
            x.push(non_reserve_q.clone());
            rows.push(totaux[nr_pos]);
        }
        x.push(q.clone());
        rows.push(totaux[if k < nr_pos { k } else { k + 1 }]);
    }
    if nr_pos == quotas.len() {
        x.push(non_reserve_q.clone());
        rows.push(totaux[nr_pos]);
    }
    let reste_c: Vec<u64> = f_c.iter().zip(&etat_par_commune).map(|(f, e)| f - e).collect();
    let mut table = vec![etat_par_commune];
    table.extend(arrondi::controlled(&x, &rows, &reste_c));
    // The State's logements in each commune: fonctionnaires by largest remainder.
    let fo_c = largest_remainder(fo_total, &table[0].iter().map(|n| *n as f64).collect::<Vec<_>>());
    // The parts, State first.
    let (perim_e, assiette_e, stock_e) = perim_dep(ETAT);
    let origine = |defaut: bool| if defaut { "defaut" } else { "fixe" };
    let mut parts = vec![
        PartReservataire {
            id: ETAT.into(),
            perimetre: perim_e,
            assiette: assiette_e,
            stock: stock_e,
            taux: r - f,
            logements: s_total - fo_total,
            origine: origine(r_defaut),
            taux_reduit: None,
            apport: false,
        },
        PartReservataire {
            id: FONCTIONNAIRES.into(),
            perimetre: perim_f,
            assiette: assiette_f,
            stock: stock_f,
            taux: f,
            logements: fo_total,
            origine: origine(f_defaut),
            taux_reduit: None,
            apport: false,
        },
    ];
    let non_reserve = PartReservataire {
        id: NON_RESERVE.into(),
        perimetre: Perimetre::Epci(epci.to_string()),
        assiette,
        stock: base.stock(NON_RESERVE),
        taux: if flux > 0 { weights[nr_pos] / flux as f64 } else { (1.0 - r - avant.iter().sum::<f64>()).max(0.0) },
        logements: totaux[nr_pos],
        origine: "stock",
        taux_reduit: None,
        apport: false,
    };
    for (k, mut a) in autres.into_iter().enumerate() {
        a.logements = totaux[if k < nr_pos { k } else { k + 1 }];
        parts.push(a);
    }
    parts.push(non_reserve);
    // Table rows are [State, autres with non réservé at nr_pos]: map each part to its row.
    let row_of = |id: &str| -> Option<usize> {
        if id == NON_RESERVE {
            return Some(1 + nr_pos);
        }
        let k = ids.iter().position(|x| x == id)?;
        Some(1 + if k < nr_pos { k } else { k + 1 })
    };
    let communes_out: Vec<FluxCommune> = (0..nc)
        .map(|c| {
            let mut res = vec![
                LogementsReservataire { id: ETAT.into(), logements: table[0][c] - fo_c[c] },
                LogementsReservataire { id: FONCTIONNAIRES.into(), logements: fo_c[c] },
            ];
            for part in &parts[2..] {
                let n = row_of(&part.id).map(|i| table[i][c]).unwrap_or(0);
                if n > 0 {
                    res.push(LogementsReservataire { id: part.id.clone(), logements: n });
                }
            }
            res.retain(|x| x.logements > 0 || x.id == ETAT);
            FluxCommune {
                commune: communes[c].insee.clone(),
                parc: communes[c].parc,
                exclus: communes[c].exclus,
                exclusions: communes[c].exclusions.clone(),
                assiette: communes[c].assiette,
                flux: f_c[c],
                reservataires: res,
            }
        })
        .collect();

    alertes.extend(alertes_collectivites(communes, &f_c, &parts, epci));
    let flux_qualifie = flux_qualifie(base, flux, s_total, fo_total, &parts, &mut alertes);

    if let Some(a) = p.annee_source.filter(|a| *a < annee) {
        alertes.push(Alerte::new(
            "parametre_a_confirmer",
            format!("paramètres repris de {a} : à confirmer pour {annee} (enregistrez-les pour les confirmer)"),
        ));
    }

    Flux {
        bailleur: bailleur.into(),
        epci: Some(epci.into()),
        departement: None,
        annee,
        parc,
        exclus: parc - assiette,
        exclusions: base.exclusions.clone(),
        assiette,
        taux_rotation,
        liberations,
        soustraits,
        flux,
        parametres_a_confirmer: p.annee_source.is_some_and(|a| a < annee),
        reservataires: parts,
        communes: communes_out,
        flux_qualifie,
        alertes,
        epcis: vec![],
    }
}

/// The State's share (rules 1–2): its rate (30 % by default, above only with a préfectoral
/// decree), its civil servants' (their share of the stock by default, at most 5 %), in whole
/// dwellings of the flux.
struct PartEtat {
    r: f64,
    r_defaut: bool,
    f: f64,
    f_defaut: bool,
    /// The State's dwellings, civil servants included.
    s_total: u64,
    fo_total: u64,
}

fn part_de_l_etat(flux: u64, p: &FluxParametres, assiette_f: u64, stock_f: u64, alertes: &mut Vec<Alerte>) -> PartEtat {
    let (r, r_defaut) = match p.taux_etat_pct.or_else(|| p.taux_fixes.get(ETAT).copied()) {
        Some(x) => ((x / 100.0).clamp(0.0, 1.0), false),
        None => (TAUX_ETAT_DEFAUT, true),
    };
    let arrete = p.arrete_prefectoral.as_ref().is_some_and(|a| !a.trim().is_empty());
    if r > TAUX_ETAT_DEFAUT + 1e-9 && !arrete {
        alertes.push(
            Alerte::new(
                "etat_max_30",
                format!(
                    "part de l'État fixée à {} : au-delà de 30 % il faut un arrêté préfectoral (1 an au plus) ; limitée à 30 % du flux",
                    pct(r)
                ),
            )
            .pour(ETAT),
        );
    }
    let s_total =
        if arrete { round(r * flux as f64).min(flux) } else { round(r * flux as f64).min(floor(0.30 * flux as f64)) };
    let (f, f_defaut) = match p.taux_fonctionnaires_pct.or_else(|| p.taux_fixes.get(FONCTIONNAIRES).copied()) {
        Some(x) => ((x / 100.0).clamp(0.0, 1.0), false),
        None => {
            let share = if assiette_f > 0 { stock_f as f64 / assiette_f as f64 } else { 0.0 };
            (share.min(PLAFOND_FONCTIONNAIRES), true)
        }
    };
    let f = f.min(r);
    if f > PLAFOND_FONCTIONNAIRES + 1e-9 {
        alertes.push(
            Alerte::new(
                "fonctionnaires_max_5",
                format!("part des agents de l'État fixée à {} (plafond 5 % du flux) ; limitée à 5 %", pct(f)),
            )
            .pour(FONCTIONNAIRES),
        );
    }
    let fo_total = round(f * flux as f64).min(floor(PLAFOND_FONCTIONNAIRES * flux as f64)).min(s_total);
    if r_defaut {
        alertes.push(
            Alerte::new(
                "parametre_par_defaut",
                "part de l'État : 30 % par défaut (instruction du 28 mars 2022), fonctionnaires compris",
            )
            .pour(ETAT),
        );
    }
    if f_defaut && f > 0.0 {
        alertes.push(
            Alerte::new(
                "parametre_par_defaut",
                format!(
                    "part des fonctionnaires : {} par défaut (leur part du stock, au plus 5 %), tant que la demande de l'État n'est pas saisie",
                    pct(f)
                ),
            )
            .pour(FONCTIONNAIRES),
        );
    }
    PartEtat { r, r_defaut, f, f_defaut, s_total, fo_total }
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
            .filter(|a| collectivite(&a.id) && !a.apport)
            .filter_map(|a| {
                let concerne = match a.id.split_once(':') {
                    Some(("commune", x)) => x == com.insee,
                    Some(("epci", x)) => x == epci,
                    Some(("departement", x)) => x == dep_code,
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
                        "collectivite_max_20",
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

/// Rules 7–8, the flux qualifié (indicative): the State follows the whole assiette with its
/// floor outside QPV (30 % of the flux outside QPV), the others their own stock.
fn flux_qualifie(
    base: &Base,
    flux: u64,
    s_total: u64,
    fo_total: u64,
    parts: &[PartReservataire],
    alertes: &mut Vec<Alerte>,
) -> BTreeMap<String, Vec<CelluleQualifiee>> {
    let mut flux_qualifie: BTreeMap<String, Vec<CelluleQualifiee>> = BTreeMap::new();
    let hors: u64 = base.toutes.iter().filter(|(k, _)| !k.2).map(|(_, n)| n).sum();
    let qpv: u64 = base.toutes.iter().filter(|(k, _)| k.2).map(|(_, n)| n).sum();
    let h_flux = largest_remainder(flux, &[hors as f64, qpv as f64])[0];
    let plancher = floor(0.30 * h_flux as f64);
    let h_share = if hors + qpv > 0 { hors as f64 / (hors + qpv) as f64 } else { 0.0 };
    let etat_hors = round(s_total as f64 * h_share).max(plancher).min(s_total);
    if etat_hors < plancher {
        alertes.push(
            Alerte::new(
                "etat_hors_qpv_min_30",
                format!(
                    "l'État obtient {etat_hors} des {h_flux} logements hors QPV, moins de 30 % : à arbitrer avec la DDETS"
                ),
            )
            .pour(ETAT),
        );
    }
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
        flux_qualifie.insert(part.id.clone(), repartir(part.logements, cells));
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
