//! The State's share (rules 1, 2 and 7): its rate and its fonctionnaires', capped by the law,
//! in whole dwellings of the flux; its fonctionnaires in each commune; its logements outside
//! QPV against the floor.

use super::*;

/// Rules 1–2 on the sum of the flux: the State's share, on the département's assiette when the
/// flux is computed for a département, else on the EPCI's.
pub(super) fn etat_du_calcul(
    entrees: &[Entree],
    dep: Option<&Departemental>,
    total_flux: u64,
    alertes: &mut Vec<Alerte>,
) -> PartEtat {
    match dep {
        Some(d) => part_de_l_etat(
            total_flux,
            &d.p,
            d.assiette,
            d.stocks.get(FONCTIONNAIRES.as_str()).copied().unwrap_or(0),
            alertes,
        ),
        None => {
            let b = &entrees[0].base;
            part_de_l_etat(total_flux, &entrees[0].p, b.assiette(), b.stock(&FONCTIONNAIRES), alertes)
        }
    }
}

/// The State's fonctionnaires among its logements in each commune (rule 1): their total
/// imposed, each commune and each EPCI the floor or the ceiling of its share.
pub(super) fn fonctionnaires_par_commune(
    etat_c: &[u64],
    colonnes: &[u64],
    total_flux: u64,
    fo_total: u64,
    s_total: u64,
    offset: &[usize],
) -> Vec<u64> {
    if fo_total == 0 || s_total == 0 || total_flux == 0 {
        return vec![0; etat_c.len()];
    }
    // Each of the two cells of a commune is the floor or the ceiling of its own quota (its total
    // × the commune's part of the flux: 53 × 8 / 211 = 2,01 prioritaires, never 1), the two
    // adding up to the State's cell; in the rare table where no such split exists, the State's
    // cell is shared in proportion (each cell within one of its share of the State's cell),
    // still with both totals exact.
    let part = |n: u64, base: &dyn Fn(usize) -> f64| -> Vec<Vec<(usize, f64)>> {
        (0..offset.len() - 1).map(|k| (offset[k]..offset[k + 1]).map(|j| (j, n as f64 * base(j))).collect()).collect()
    };
    let lignes = |base: &dyn Fn(usize) -> f64| {
        [
            arrondi::Ligne { groupes: part(fo_total, base), total: arrondi::Total::Exact(fo_total) },
            arrondi::Ligne {
                groupes: part(s_total - fo_total, base),
                total: arrondi::Total::Exact(s_total - fo_total),
            },
        ]
    };
    let du_flux = |j: usize| colonnes[j] as f64 / total_flux as f64;
    let de_l_etat = |j: usize| etat_c[j] as f64 / s_total as f64;
    let table = arrondi::controle_strict(&lignes(&du_flux), etat_c)
        .unwrap_or_else(|| arrondi::controle(&lignes(&de_l_etat), etat_c));
    table[0].iter().flatten().copied().collect()
}

/// The State outside QPV (rule 7): on the whole computation, then EPCI by EPCI.
pub(super) struct HorsQpv {
    /// The State's logements outside QPV, in all.
    pub(super) etat_hors: u64,
    /// The flux outside QPV, in all, and its 30 %.
    pub(super) h_flux: u64,
    pub(super) plancher: u64,
    /// By EPCI: the State's logements outside QPV, the flux outside QPV.
    pub(super) etat_hors_k: Vec<u64>,
    pub(super) h_k: Vec<u64>,
}

pub(super) fn etat_hors_qpv(
    entrees: &[Entree],
    amonts: &[Amont],
    etat_k: &[u64],
    s_total: u64,
    dep: Option<&Departemental>,
    alertes_etat: &mut Vec<Alerte>,
) -> HorsQpv {
    let (hors, qpv): (Vec<u64>, Vec<u64>) = entrees
        .iter()
        .map(|e| {
            let h: u64 = e.base.toutes.iter().filter(|(k, _)| !k.2).map(|(_, n)| n).sum();
            let q: u64 = e.base.toutes.iter().filter(|(k, _)| k.2).map(|(_, n)| n).sum();
            (h, q)
        })
        .unzip();
    let h_flux: u64 = amonts
        .iter()
        .zip(hors.iter().zip(&qpv))
        .map(|(a, (h, q))| largest_remainder(a.flux, &[*h as f64, *q as f64])[0])
        .sum();
    let plancher = floor(0.30 * h_flux as f64);
    let (h_tot, q_tot): (u64, u64) = (hors.iter().sum(), qpv.iter().sum());
    let h_share = if h_tot + q_tot > 0 { h_tot as f64 / (h_tot + q_tot) as f64 } else { 0.0 };
    // Each EPCI: at least what its QPV cannot take, at most what its assiette outside QPV can.
    let lo: Vec<u64> = (0..entrees.len()).map(|k| if qpv[k] == 0 { etat_k[k] } else { 0 }).collect();
    let hi: Vec<u64> = (0..entrees.len()).map(|k| if hors[k] == 0 { 0 } else { etat_k[k] }).collect();
    let etat_hors = round(s_total as f64 * h_share).max(plancher).min(s_total).clamp(lo.iter().sum(), hi.iter().sum());
    if etat_hors < plancher {
        let ou = match dep {
            Some(d) => format!(" sur le département {}", d.code),
            None => String::new(),
        };
        alertes_etat.push(
            Alerte::new(
                Regle::EtatHorsQpvMin30,
                format!(
                    "l'État obtient {etat_hors} des {h_flux} logements hors QPV{ou}, moins de 30 % ({plancher}) : à arbitrer avec la DDETS"
                ),
            )
            .pour(&ETAT),
        );
    }
    let w: Vec<f64> = (0..entrees.len())
        .map(|k| if hors[k] + qpv[k] > 0 { etat_k[k] as f64 * hors[k] as f64 / (hors[k] + qpv[k]) as f64 } else { 0.0 })
        .collect();
    let etat_hors_k = borner(etat_hors, &w, &lo, &hi);
    let h_k: Vec<u64> = amonts
        .iter()
        .zip(hors.iter().zip(&qpv))
        .map(|(a, (h, q))| largest_remainder(a.flux, &[*h as f64, *q as f64])[0])
        .collect();
    HorsQpv { etat_hors, h_flux, plancher, etat_hors_k, h_k }
}

/// The State's share (rules 1–2): its rate (30 % by default, above only with a préfectoral
/// decree), its civil servants' (their share of the stock by default, at most 5 %), in whole
/// dwellings of the flux. Every rate is the one **applied**; what was asked beyond a legal
/// ceiling is kept beside it, with the alert.
#[derive(Debug, Clone)]
pub(super) struct PartEtat {
    /// The State's total rate asked and applied, whether it is the default.
    pub(super) r_demande: f64,
    pub(super) r: f64,
    pub(super) r_defaut: bool,
    /// The fonctionnaires' rate asked and applied.
    pub(super) f_demande: f64,
    pub(super) f: f64,
    pub(super) f_defaut: bool,
    /// The State's dwellings, civil servants included.
    pub(super) s_total: u64,
    pub(super) fo_total: u64,
    pub(super) assiette_f: u64,
    pub(super) stock_f: u64,
}

impl PartEtat {
    /// The State's two parts in one EPCI (or the département), with their logements there.
    pub(super) fn parts(
        &self,
        dep: Option<&Departemental>,
        epci: &str,
        base: &Base,
        etat: u64,
        fo: u64,
    ) -> Vec<PartReservataire> {
        let (perimetre, assiette, stock_e) = match dep {
            Some(d) => {
                (Perimetre::Departement(d.code.clone()), d.assiette, d.stocks.get(ETAT.as_str()).copied().unwrap_or(0))
            }
            None => (Perimetre::Epci(epci.to_string()), base.assiette(), base.stock(&ETAT)),
        };
        let plafonne_r = self.r_demande > self.r + 1e-9;
        let plafonne_f = self.f_demande > self.f + 1e-9;
        vec![
            PartReservataire {
                id: ETAT,
                perimetre: perimetre.clone(),
                assiette,
                stock: stock_e,
                taux: self.r - self.f,
                // What the State asked for its prioritaires: its total request less the one for
                // its agents (35 % − 7 % = 28 %), shown when a ceiling changed what is applied.
                taux_demande: (plafonne_r || (plafonne_f && !self.r_defaut))
                    // Rounded to the billionth: 35 % − 7 % is 28 %, not 0,27999999999999997.
                    .then_some(((self.r_demande - self.f_demande) * 1e9).round() / 1e9)
                    .filter(|d| (d - (self.r - self.f)).abs() > 1e-9),
                logements: etat,
                origine: if plafonne_r {
                    OrigineTaux::Plafonne
                } else if self.r_defaut {
                    OrigineTaux::Defaut
                } else {
                    OrigineTaux::Fixe
                },
                taux_reduit: None,
                apport: false,
            },
            PartReservataire {
                id: FONCTIONNAIRES,
                perimetre,
                assiette: self.assiette_f,
                stock: self.stock_f,
                taux: self.f,
                taux_demande: plafonne_f.then_some(self.f_demande),
                logements: fo,
                origine: if plafonne_f {
                    OrigineTaux::Plafonne
                } else if self.f_defaut {
                    OrigineTaux::Defaut
                } else {
                    OrigineTaux::Fixe
                },
                taux_reduit: None,
                apport: false,
            },
        ]
    }
}

pub(super) fn part_de_l_etat(
    flux: u64,
    p: &FluxParametres,
    assiette_f: u64,
    stock_f: u64,
    alertes: &mut Vec<Alerte>,
) -> PartEtat {
    let (r_demande, r_defaut) = match p.taux_etat_pct.or_else(|| p.taux_fixes.get(ETAT.as_str()).copied()) {
        Some(x) => ((x / 100.0).clamp(0.0, 1.0), false),
        None => (TAUX_ETAT_DEFAUT, true),
    };
    let arrete = p.arrete_prefectoral.as_ref().is_some_and(|a| !a.trim().is_empty());
    let r = if arrete { r_demande } else { r_demande.min(TAUX_ETAT_DEFAUT) };
    if r_demande > TAUX_ETAT_DEFAUT + 1e-9 && !arrete {
        alertes.push(
            Alerte::new(
                Regle::EtatMax30,
                format!(
                    "part de l'État demandée : {} ; au-delà de 30 % il faut un arrêté préfectoral (1 an au plus) : 30 % appliqués",
                    pct(r_demande)
                ),
            )
            .pour(&ETAT),
        );
    }
    // Rule 2 on whole dwellings: min(round(r × F), ⌊ceiling × F⌋), the ceiling 30 %, or the
    // arrêté's rate above it (rule 9: « the arrêté's rate instead of 30 %, rule 2 alike »): 35 %
    // of 57 is 19, never the 20 that rounding 19,95 gives.
    let plafond = if arrete { r.max(TAUX_ETAT_DEFAUT) } else { TAUX_ETAT_DEFAUT };
    let s_total = round(r * flux as f64).min(floor(plafond * flux as f64)).min(flux);
    let (f_demande, f_defaut) =
        match p.taux_fonctionnaires_pct.or_else(|| p.taux_fixes.get(FONCTIONNAIRES.as_str()).copied()) {
            Some(x) => ((x / 100.0).clamp(0.0, 1.0), false),
            None => {
                let share = if assiette_f > 0 { stock_f as f64 / assiette_f as f64 } else { 0.0 };
                (share.min(PLAFOND_FONCTIONNAIRES), true)
            }
        };
    let f = f_demande.min(PLAFOND_FONCTIONNAIRES).min(r);
    if f_demande > PLAFOND_FONCTIONNAIRES + 1e-9 {
        alertes.push(
            Alerte::new(
                Regle::FonctionnairesMax5,
                format!(
                    "part des agents de l'État demandée : {} ; le plafond légal est de 5 % du flux : {} appliqués",
                    pct(f_demande),
                    pct(f)
                ),
            )
            .pour(&FONCTIONNAIRES),
        );
    }
    let fo_total = round(f * flux as f64).min(floor(PLAFOND_FONCTIONNAIRES * flux as f64)).min(s_total);
    if r_defaut {
        alertes.push(
            Alerte::new(
                Regle::ParametreParDefaut,
                "part de l'État : 30 % par défaut (instruction du 28 mars 2022), fonctionnaires compris",
            )
            .pour(&ETAT),
        );
    }
    if f_defaut && f > 0.0 {
        alertes.push(
            Alerte::new(
                Regle::ParametreParDefaut,
                format!(
                    "part des fonctionnaires : {} par défaut (leur part du stock, au plus 5 %), tant que la demande de l'État n'est pas saisie",
                    pct(f)
                ),
            )
            .pour(&FONCTIONNAIRES),
        );
    }
    PartEtat { r_demande, r, r_defaut, f_demande, f, f_defaut, s_total, fo_total, assiette_f, stock_f }
}
