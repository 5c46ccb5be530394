//! The counting of a bilan: each step by its own date, the décomptes, the conclusions of the
//! mises à disposition, the regulatory breakdown.

use super::objectifs::{Objectifs, PERIMETRE_TOUT, PerimetreBilan, distincts};
use super::{
    AlerteBilan, Bilan, BilanReservataire, CAUSES_DE_CHUTE, LigneDetail, Periode, PrevusRealises, Signalement,
    aujourd_hui,
};
use crate::model::{Date, Portee, Regle, Reservataire};
use crate::suivi::{Etape, HorsFlux, MiseADisposition, RejetRegistre};
use crate::text::FastMap;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Bailleur, réservataire, commune, typologie, financement, QPV, construction period.
type CleDetail<'a> = (&'a str, &'a str, &'a str, &'static str, &'static str, bool, &'static str);

/// The construction periods of the regulatory breakdown (R.441-5-1).
pub fn periode_construction(annee: Option<i32>) -> &'static str {
    match annee {
        None => "inconnue",
        Some(a) if a < 1949 => "avant 1949",
        Some(a) if a <= 1974 => "1949-1974",
        Some(a) if a <= 1989 => "1975-1989",
        Some(a) if a <= 2004 => "1990-2004",
        Some(a) if a <= 2014 => "2005-2014",
        Some(_) => "2015 et après",
    }
}

/// The décomptes: each libération counted once, at the step its réservataire's convention
/// chose, for the first mise à disposition (in order) that reached it. Returns, for each
/// mise à disposition counted, its index and the date it counts at.
pub fn decomptes(mads: &[MiseADisposition], etape: &dyn Fn(&str, &str) -> Etape) -> Vec<(usize, Date)> {
    // A libération: the dwelling and the end of the notice (else the mise à disposition alone);
    // its mises à disposition in order (those without a date last), then by id. One sort of
    // borrowed keys instead of a list per libération.
    type Cle<'a> = (&'a str, &'a str, std::result::Result<Date, i64>, bool, Option<Date>, i64, usize);
    let mut v: Vec<Cle> = mads
        .iter()
        .enumerate()
        .filter(|(_, m)| m.reservataire.is_some() && m.hors_flux.is_none())
        .map(|(i, m)| {
            let mad = m.etapes.date_mise_a_disposition;
            (
                m.bailleur.as_str(),
                m.reference.as_str(),
                m.etapes.date_liberation.ok_or(m.id),
                mad.is_none(),
                mad,
                m.id,
                i,
            )
        })
        .collect();
    v.sort_unstable();
    let mut out = Vec::new();
    let mut k = 0;
    while k < v.len() {
        let n = v[k..].iter().take_while(|c| (c.0, c.1, c.2) == (v[k].0, v[k].1, v[k].2)).count();
        for c in &v[k..k + n] {
            let m = &mads[c.6];
            let r = m.reservataire.as_deref().unwrap_or_default();
            if let Some(d) = m.date_etape(etape(&m.bailleur, r)) {
                out.push((c.6, d));
                break;
            }
        }
        k += n;
    }
    out.sort_unstable();
    out
}

/// Each convention's deadline rule and days, by (bailleur, réservataire).
pub(crate) type Delais =
    HashMap<(String, String), (crate::suivi::calendrier::RegleDelai, crate::suivi::calendrier::Calendrier)>;

#[allow(clippy::too_many_arguments)]
pub(crate) fn calculer(
    mads: &[MiseADisposition],
    p: &Periode,
    obj: &Objectifs,
    etapes: &HashMap<(String, String), Etape>,
    delais: &Delais,
    rejets: Vec<RejetRegistre>,
    bailleur: Option<String>,
    epci: Option<String>,
) -> Bilan {
    // The conventions' steps by borrowed (bailleur, réservataire): no allocation per lookup.
    let etapes_lues: FastMap<(&str, &str), Etape> =
        etapes.iter().map(|((b, r), e)| ((b.as_str(), r.as_str()), *e)).collect();
    let etape_of = |b: &str, r: &str| etapes_lues.get(&(b, r)).copied().unwrap_or(Etape::BailSigne);
    let counted = decomptes(mads, &etape_of);
    let mut ids: BTreeSet<String> = obj
        .logements
        .iter()
        .chain(obj.autres_annees.iter().flat_map(|a| a.logements.iter()))
        .filter(|(_, n)| **n > 0)
        .map(|(id, _)| id.clone())
        .collect();
    let des_registres: BTreeSet<&str> =
        distincts(mads.iter().filter(|m| m.hors_flux.is_none()).filter_map(|m| m.reservataire.as_deref()));
    ids.extend(des_registres.into_iter().map(String::from));
    ids.remove(crate::model::Reservataire::NON_RESERVE.as_str());
    // The rows in the order of their ids, found by id without comparing strings one by one.
    let index: FastMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut rows: Vec<BilanReservataire> = Vec::with_capacity(ids.len());
    for id in &ids {
        let objectif = obj.logements.get(id).copied().unwrap_or(0);
        let decompte = bailleur
            .as_deref()
            .map(|b| etape_of(b, id))
            .unwrap_or_else(|| etapes.iter().find(|((_, r), _)| r == id).map(|(_, e)| *e).unwrap_or(Etape::BailSigne));
        rows.push(BilanReservataire {
            id: Reservataire::new(id.as_str()),
            decompte,
            objectif,
            objectif_periode: obj.quota(id, p),
            mises_a_disposition: 0,
            avec_candidats: 0,
            examines_cal: 0,
            attributions: 0,
            baux_signes: 0,
            decomptes: 0,
            ecart: 0.0,
            taux_chute: 0.0,
            en_cours: 0,
            baux_cohorte: 0,
            chutes: 0,
            chutes_par_cause: CAUSES_DE_CHUTE.iter().map(|(k, _)| (*k, 0)).collect(),
            part_realisee: 0.0,
            decomptes_du_perimetre: 0,
            part_flux_reserve: 0.0,
            taux_convention: obj.taux.get(id).copied().unwrap_or(0.0),
            perimetre: match obj.perimetres.get(id) {
                Some(PerimetreBilan::Commune(c)) => crate::format::commune_de(&crate::consolidate::nom_commune(c)),
                Some(PerimetreBilan::Epci(e)) => crate::consolidate::nom_epci(e),
                _ => match &epci {
                    Some(e) => crate::consolidate::nom_epci(e),
                    None => PERIMETRE_TOUT.into(),
                },
            },
            reliquat: None,
            attributions_prioritaires: 0,
            dont_dalo: 0,
            non_renseignes: 0,
            part_prioritaires: None,
            objectif_prioritaires: obj.cia.objectif_prioritaires(id),
            menages_renseignes: 0,
            base_suffisante: false,
        });
    }
    let ligne = |r: &str| index.get(r).copied();
    // The next mise à disposition of the same libération: the reprise happened by then.
    let suivante = suivantes(mads);
    let mut hors_flux: BTreeMap<&'static str, PrevusRealises> = BTreeMap::new();
    for h in HorsFlux::ALL {
        let prevus = obj.soustraits_periode(h.as_str(), p);
        hors_flux.insert(
            h.as_str(),
            PrevusRealises {
                prevus: prevus.round() as u64,
                realises: 0,
                prevus_periode: (prevus * 10.0).round() / 10.0,
            },
        );
    }
    let mut detail: FastMap<CleDetail, [u64; 3]> = FastMap::default();
    let mut signalements = Vec::new();
    for m in mads {
        if let Some(s) = &m.signalement {
            signalements.push(Signalement {
                bailleur: m.bailleur.clone(),
                reference: m.reference.clone(),
                detail: s.clone(),
            });
        }
        if let Some(h) = m.hors_flux {
            if p.contient(m.etapes.date_bail) {
                hors_flux.entry(h.as_str()).or_default().realises += 1;
            }
            continue;
        }
        let Some(r) = &m.reservataire else { continue };
        let Some(i) = ligne(r.as_str()) else { continue };
        let row = &mut rows[i];
        let inc = |c: &mut u64, d: Option<Date>| {
            if p.contient(d) {
                *c += 1;
            }
        };
        inc(&mut row.mises_a_disposition, m.etapes.date_mise_a_disposition);
        inc(&mut row.avec_candidats, m.etapes.date_candidats);
        inc(&mut row.examines_cal, m.etapes.date_cal);
        inc(&mut row.attributions, m.date_etape(Etape::AttributionCal));
        inc(&mut row.baux_signes, m.bail_du_reservataire());
        if p.contient(m.etapes.date_mise_a_disposition) {
            match conclusion(m, suivante.get(&m.id).copied(), p.fin) {
                Conclusion::Bail => row.baux_cohorte += 1,
                Conclusion::EnCours => row.en_cours += 1,
                Conclusion::Chute(cause) => {
                    row.chutes += 1;
                    *row.chutes_par_cause.entry(cause).or_default() += 1;
                }
            }
        }
        let e = [
            u64::from(p.contient(m.etapes.date_mise_a_disposition)),
            u64::from(p.contient(m.date_etape(Etape::AttributionCal))),
            u64::from(p.contient(m.bail_du_reservataire())),
        ];
        if e.iter().any(|x| *x > 0) {
            let k = (
                m.bailleur.as_str(),
                r.as_str(),
                m.commune.as_str(),
                m.typologie.as_str(),
                m.financement.as_str(),
                m.qpv,
                periode_construction(m.annee_construction),
            );
            let slot = detail.entry(k).or_default();
            for i in 0..3 {
                slot[i] += e[i];
            }
        }
    }
    // Décomptes in the period, by réservataire, by month, outside QPV, and by perimeter.
    let mois = |d: Date| ((d.year - p.debut.year) * 12 + d.month as i32 - p.debut.month as i32).max(0) as usize;
    let n_mois = mois(p.fin) + 1;
    // Per row: its décomptes by month (a row without any has none).
    let mut par_mois: Vec<Option<Vec<u64>>> = vec![None; rows.len()];
    let (mut hors_qpv_total, mut hors_qpv_etat) = (0u64, 0u64);
    let mut par_commune: FastMap<&str, u64> = FastMap::default();
    let mut par_epci: FastMap<&str, u64> = FastMap::default();
    for (i, date) in &counted {
        if !p.contient(Some(*date)) {
            continue;
        }
        let m = &mads[*i];
        *par_commune.entry(m.commune.as_str()).or_default() += 1;
        *par_epci.entry(m.epci.as_str()).or_default() += 1;
        let r = m.reservataire.as_deref().unwrap_or_default();
        if !m.qpv {
            hors_qpv_total += 1;
            if Portee::de(r).est_etat() {
                hors_qpv_etat += 1;
            }
        }
        if let Some(l) = ligne(r) {
            rows[l].decomptes += 1;
            par_mois[l].get_or_insert_with(|| vec![0; n_mois])[mois(*date).min(n_mois - 1)] += 1;
        }
    }
    let mut cumul: BTreeMap<String, Vec<u64>> =
        ids.iter().cloned().zip(par_mois).filter_map(|(id, v)| Some((id, v?))).collect();
    for v in cumul.values_mut() {
        for i in 1..v.len() {
            v[i] += v[i - 1];
        }
    }
    let total_decomptes: u64 = rows.iter().map(|r| r.decomptes).sum();
    let annuel = p.est_annuel();
    // The objectives pro rata temporis in tenths, by largest remainder: each line is its quota
    // rounded down or up, and the lines add up to the total objective pro rata (133 × 184/366
    // = 66,9, never the 66,8 of rounded lines).
    let poids: Vec<f64> = rows.iter().map(|r| r.objectif_periode).collect();
    let total_dixiemes = (poids.iter().sum::<f64>() * 10.0 + 1e-9).round() as u64;
    for (row, n) in rows.iter_mut().zip(crate::flux::largest_remainder(total_dixiemes, &poids)) {
        row.objectif_periode = n as f64 / 10.0;
    }
    for row in rows.iter_mut() {
        row.ecart = ((row.decomptes as f64 - row.objectif_periode) * 10.0).round() / 10.0;
        let conclues = row.mises_a_disposition - row.en_cours;
        row.taux_chute = if conclues > 0 { row.chutes as f64 / conclues as f64 } else { 0.0 };
        let du_perimetre = match obj.perimetres.get(row.id.as_str()) {
            Some(PerimetreBilan::Commune(c)) => par_commune.get(c.as_str()).copied().unwrap_or(0),
            Some(PerimetreBilan::Epci(e)) => par_epci.get(e.as_str()).copied().unwrap_or(0),
            _ => total_decomptes,
        };
        row.part_realisee = if du_perimetre > 0 { row.decomptes as f64 / du_perimetre as f64 } else { 0.0 };
        row.decomptes_du_perimetre = du_perimetre;
        let reserve = match obj.perimetres.get(row.id.as_str()) {
            Some(PerimetreBilan::Commune(c)) => obj.flux_reserve_commune.get(c).copied().unwrap_or(0),
            Some(PerimetreBilan::Epci(e)) => obj.flux_reserve_epci.get(e).copied().unwrap_or(0),
            _ => obj.flux_reserve,
        };
        row.part_flux_reserve = if reserve > 0 { row.objectif as f64 / reserve as f64 } else { 0.0 };
        if annuel {
            row.reliquat = Some(row.objectif.saturating_sub(row.decomptes));
        }
    }

    // The CIA objectives: every lease of the period, flux and hors flux.
    let (cia, prioritaires, alertes_cia) = crate::suivi::cia::calculer(mads, p, &obj.cia, bailleur.is_none());
    for (id, x) in prioritaires {
        if let Some(row) = ligne(&id).map(|l| &mut rows[l]) {
            row.attributions_prioritaires = x.attributions_prioritaires;
            row.dont_dalo = x.dont_dalo;
            row.non_renseignes = x.non_renseignes;
            row.part_prioritaires = x.part;
            row.menages_renseignes = x.menages_renseignes;
            row.base_suffisante = x.base_suffisante;
        }
    }
    let mut alertes = alertes_cia;
    let objectif_de = |id: &Reservataire| ligne(id.as_str()).map(|l| rows[l].objectif).unwrap_or(0);
    let etat_objectif = objectif_de(&Reservataire::ETAT) + objectif_de(&Reservataire::FONCTIONNAIRES);
    if etat_objectif > 0 && hors_qpv_total > 0 && (hors_qpv_etat as f64) < 0.30 * hors_qpv_total as f64 {
        alertes.push(AlerteBilan {
            regle: Regle::EtatHorsQpvMin30,
            reservataire: Some(Reservataire::ETAT),
            detail: format!(
                "l'État a {hors_qpv_etat} des {hors_qpv_total} logements décomptés hors QPV, moins de 30 % : à arbitrer avec la DDETS"
            ),
        });
    }
    // No mise à disposition for three months (at the end of the period).
    if let Some(limite) = crate::suivi::calendrier::ajouter_mois(p.fin, -3)
        && limite >= Date::new(p.annee, 1, 1).unwrap_or(p.debut)
    {
        // Each réservataire's last mise à disposition by the end of the period, in one pass.
        let mut derniere: FastMap<&str, Date> = FastMap::default();
        for m in mads {
            if let (Some(r), Some(d)) = (m.reservataire.as_deref(), m.etapes.date_mise_a_disposition)
                && d <= p.fin
            {
                let x = derniere.entry(r).or_insert(d);
                *x = (*x).max(d);
            }
        }
        for row in rows.iter().filter(|r| r.objectif > 0) {
            let last = derniere.get(row.id.as_str()).copied();
            if last.is_none_or(|l| l < limite) {
                alertes.push(AlerteBilan {
                    regle: Regle::SansMiseADisposition3Mois,
                    reservataire: Some(row.id.clone()),
                    detail: format!(
                        "{} : aucune mise à disposition depuis {}",
                        crate::consolidate::libelle_reservataire(&row.id),
                        match last {
                            Some(l) => format!("le {}", crate::format::date_fr(&l.to_string())),
                            None => "le début du suivi".into(),
                        }
                    ),
                });
            }
        }
    }
    for ((b, r), e) in etapes {
        if Portee::de(r).est_etat() && matches!(e, Etape::MiseADisposition | Etape::MiseADispositionValidee) {
            alertes.push(AlerteBilan {
                regle: Regle::DecompteEtat,
                reservataire: Some(Reservataire::new(r.as_str())),
                detail: format!(
                    "{b} : le flux de l'État ne se décompte jamais à la mise à disposition (au bail signé, ou à l'examen en CALEOL en gestion directe)"
                ),
            });
        }
    }
    for (annee, s) in &obj.sans_parametres {
        alertes.push(AlerteBilan {
            regle: Regle::ParametreParDefaut,
            reservataire: None,
            detail: format!("objectifs : paramètres du flux {annee} non enregistrés pour {s}"),
        });
    }
    // By rule, and within a rule in the order of the rows (the alerts of the whole bilan first):
    // the State's agents right after the State, as in the table, not after the EPCI.
    alertes.sort_by(|a, b| {
        a.regle.as_str().cmp(b.regle.as_str()).then_with(|| {
            a.reservataire.as_ref().map(ordre_des_lignes).cmp(&b.reservataire.as_ref().map(ordre_des_lignes))
        })
    });
    alertes.dedup();

    let mut reservataires: Vec<BilanReservataire> = rows;
    reservataires.sort_by(|a, b| ordre_des_lignes(&a.id).cmp(&ordre_des_lignes(&b.id)));
    Bilan {
        annee: p.annee,
        semestre: p.semestre,
        debut: p.debut.to_string(),
        fin: p.fin.to_string(),
        bailleur,
        epci,
        reservataire: None,
        flux: obj.flux,
        non_reserve: obj.logements.get(crate::model::Reservataire::NON_RESERVE.as_str()).copied().unwrap_or(0),
        bailleurs: vec![],
        sans_registre: vec![],
        sans_flux: vec![],
        reservataires,
        hors_flux,
        annuel,
        annees: std::iter::once(p.annee)
            .chain(obj.autres_annees.iter().map(|a| a.annee))
            .map(|a| (a, p.fraction(a)))
            .filter(|(_, f)| *f > 0.0)
            .collect(),
        cia,
        detail: {
            // In the order of the keys, as a sorted map would give them.
            let mut v: Vec<(CleDetail, [u64; 3])> = detail.into_iter().collect();
            v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            v
        }
        .into_iter()
        .map(|((bailleur, reservataire, commune, typologie, financement, qpv, periode_construction), n)| LigneDetail {
            bailleur: bailleur.to_string(),
            reservataire: Reservataire::new(reservataire),
            commune: commune.to_string(),
            typologie: typologie.to_string(),
            financement: financement.to_string(),
            qpv,
            periode_construction,
            mises_a_disposition: n[0],
            attributions: n[1],
            baux_signes: n[2],
        })
        .collect(),
        cumul_mensuel: cumul,
        alertes,
        signalements,
        retards_de_reponse: crate::suivi::retards(mads, p.fin.min(aujourd_hui()), &|m| {
            let cle = (m.bailleur.clone(), m.reservataire.as_deref().unwrap_or_default().to_string());
            let (regle, mut cal) = delais.get(&cle).cloned().unwrap_or_default();
            cal.departement = crate::suivi::departement_de(&m.commune);
            (regle, cal)
        }),
        rejets,
        epcis_comptes: vec![],
    }
}

/// How a mise à disposition stands at the end of a period.
enum Conclusion {
    Bail,
    EnCours,
    Chute(&'static str),
}

/// For each mise à disposition, the date the next one of the same libération was made (the
/// reprise or the réorientation happened by then).
fn suivantes(mads: &[MiseADisposition]) -> FastMap<i64, Date> {
    let mut v: Vec<(&str, &str, Date, Date, i64)> = mads
        .iter()
        .filter(|m| m.hors_flux.is_none())
        .filter_map(|m| {
            Some((
                m.bailleur.as_str(),
                m.reference.as_str(),
                m.etapes.date_liberation?,
                m.etapes.date_mise_a_disposition?,
                m.id,
            ))
        })
        .collect();
    v.sort_unstable();
    v.windows(2).filter(|w| (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2)).map(|w| (w[0].4, w[1].3)).collect()
}

/// Whether a mise à disposition ended with a lease, ended without one (and why), or is still
/// open at `fin`. A lease after `fin` is open at `fin`; an end without a date (a reprise)
/// happened by the next mise à disposition of the same libération, else by its last dated step.
fn conclusion(m: &MiseADisposition, suivante: Option<Date>, fin: Date) -> Conclusion {
    let e = &m.etapes;
    // A lease after a reprise is the bailleur's: the réservataire's mise à disposition fell.
    match m.bail_du_reservataire() {
        Some(b) if b <= fin => return Conclusion::Bail,
        Some(_) => return Conclusion::EnCours,
        None if e.issue == crate::suivi::Issue::BailSigne => return Conclusion::Bail,
        None => {}
    }
    if !matches!(e.issue, crate::suivi::Issue::Reprise | crate::suivi::Issue::Reorientation) {
        return Conclusion::EnCours;
    }
    let quand = suivante.or_else(|| {
        [e.date_cal, e.date_candidats, e.date_validation, e.date_mise_a_disposition].into_iter().flatten().max()
    });
    if quand.is_some_and(|q| q > fin) {
        return Conclusion::EnCours;
    }
    Conclusion::Chute(match (e.decision_cal, e.issue) {
        (Some(crate::suivi::DecisionCal::Refus), _) => "refus",
        (Some(crate::suivi::DecisionCal::NonAttribution), _) => "non_attribution",
        (_, crate::suivi::Issue::Reorientation) => "reorientation",
        _ => "reprise",
    })
}

/// The order of the bilan's rows, and of its alerts within a rule: the State first (its
/// publics prioritaires, then its agents), then by id.
fn ordre_des_lignes(id: &Reservataire) -> (bool, &str) {
    (!Portee::de(id).est_etat(), id.as_str())
}
