//! The orientation of a freed dwelling (domaine.md, « Orientation of a freed dwelling »): the
//! réservataires whose perimeter contains it, ranked by their delay on the objective of the
//! year pro rata temporis, counting what is in progress; the State first outside QPV while its
//! share of the décomptes outside QPV is under 30 %. A help to decide, never an assignment.

use super::bilan::decomptes;
use super::{Issue, MiseADisposition, Result, SuiviError, etape_decompte, logement};
use crate::flux::Perimetre;
use crate::model::{Date, Portee, Reservataire};
use crate::store::Dossier;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidat {
    pub id: Reservataire,
    pub objectif: u64,
    pub objectif_a_date: f64,
    pub decomptes: u64,
    pub en_cours: u64,
    pub retard: f64,
    pub raison: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Orientation {
    pub logement: MiseADisposition,
    pub date: String,
    pub candidats: Vec<Candidat>,
    /// Hints of the CIA objectives (« à proposer de préférence à un ménage du premier
    /// quartile… »): a help for the choice of candidates, never a rule.
    pub indications: Vec<String>,
}

/// The share of year N elapsed on the day before `date` (events of `date` itself are not yet known).
fn ecoule(date: Date) -> f64 {
    let (Some(y0), Some(y1)) = (Date::new(date.year, 1, 1), Date::new(date.year + 1, 1, 1)) else { return 0.0 };
    (date.days_since_epoch() - y0.days_since_epoch()) as f64 / (y1.days_since_epoch() - y0.days_since_epoch()) as f64
}

/// Ranks the réservataires for a dwelling of the dossier (`BAILLEUR:REFERENCE`) freed at `date`.
pub fn orienter(d: &Dossier, bailleur: &str, reference: &str, date: Date) -> Result<Orientation> {
    let l = logement(d, bailleur, reference)?.ok_or_else(|| {
        SuiviError::Donnees(format!("Logement inconnu : « {bailleur}:{reference} » n'est pas dans le dossier"))
    })?;
    // The flux of the year and the register, read at the same time on two connections.
    let (flux, mads) = std::thread::scope(|s| {
        let path = d.path.clone();
        let epci = l.epci.clone();
        let registre = s.spawn(move || -> Result<Vec<MiseADisposition>> {
            let d2 = Dossier::open_read_only(&path)?;
            Ok(d2.mises_a_disposition(Some(&[bailleur.to_string()]), Some(&epci))?)
        });
        let flux = crate::flux::flux_enregistre(d, bailleur, &l.epci, date.year);
        let mads = registre.join().unwrap_or_else(|_| Err(SuiviError::Donnees("lecture interrompue".into())));
        (flux, mads)
    });
    let flux =
        flux?.ok_or_else(|| SuiviError::Donnees(format!("aucun logement de « {bailleur} » sur l'EPCI du logement")))?;
    let mads = mads?;
    // Each convention's step, read once (not once per mise à disposition).
    let etapes: std::collections::HashMap<&str, crate::suivi::Etape> =
        flux.reservataires.iter().map(|r| (r.id.as_str(), etape_decompte(d, bailleur, &r.id))).collect();
    let etape = |_: &str, r: &str| etapes.get(r).copied().unwrap_or(crate::suivi::Etape::BailSigne);
    let mut o = classer(l, &flux, &mads, date, &etape);
    indiquer_cia(&mut o, &mads, date, &d.reglages_cia()?);
    Ok(o)
}

/// The CIA hints for a dwelling freed at `date`, from the leases of the year signed before it:
/// outside QPV, when the bailleur is behind on the first quartile, the dwelling is better
/// proposed to a first-quartile household; each réservataire behind on its publics
/// prioritaires is told so in its reason. Only where the registers say the households.
pub fn indiquer_cia(o: &mut Orientation, mads: &[MiseADisposition], date: Date, r: &crate::model::ReglagesCia) {
    let (Some(debut), Some(veille)) = (Date::new(date.year, 1, 1), date.add_days(-1)) else { return };
    let Ok(p) = super::bilan::Periode::new(date.year, None, Some(debut), Some(veille)) else { return };
    let du_bailleur: Vec<MiseADisposition> =
        mads.iter().filter(|m| m.bailleur == o.logement.bailleur).cloned().collect();
    let (cia, prioritaires, _) = super::cia::calculer(&du_bailleur, &p, r, false);
    if !cia.renseigne {
        return;
    }
    let pct = |x: f64| crate::format::pourcentage_fr(x, 0);
    if !o.logement.qpv
        && let Some(part) = cia.hors_qpv.part
        && part + 1e-9 < cia.hors_qpv.objectif
    {
        o.indications.push(format!(
            "à proposer de préférence à un ménage du premier quartile : {} réalisés pour {} (baux hors QPV de {} depuis le 1er janvier)",
            pct(part),
            pct(cia.hors_qpv.objectif),
            o.logement.bailleur
        ));
    }
    for c in &mut o.candidats {
        if let Some(x) = prioritaires.get(c.id.as_str())
            && x.manque()
            && let (Some(part), Some(objectif)) = (x.part, x.objectif)
        {
            c.raison.push_str(&format!(
                " ; en retard sur ses publics prioritaires : {} réalisés pour {} (à proposer de préférence à un ménage prioritaire)",
                pct(part),
                pct(objectif)
            ));
        }
    }
}

/// The ranking itself, on the flux of the year and the register (only events before `date`).
pub fn classer(
    l: MiseADisposition,
    flux: &crate::flux::Flux,
    mads: &[MiseADisposition],
    date: Date,
    etape: &dyn Fn(&str, &str) -> crate::suivi::Etape,
) -> Orientation {
    let avant = |x: Option<Date>| x.filter(|d| *d < date && d.year == date.year);
    // Only what happened before the date: a later step is not yet known.
    let connus: Vec<MiseADisposition> = mads
        .iter()
        .filter(|m| m.etapes.date_mise_a_disposition.is_some_and(|d| d < date))
        .map(|m| {
            let mut m = m.clone();
            for x in [
                &mut m.etapes.date_validation,
                &mut m.etapes.date_candidats,
                &mut m.etapes.date_cal,
                &mut m.etapes.date_bail,
            ] {
                *x = x.filter(|d| *d < date);
            }
            m
        })
        .collect();
    let counted = decomptes(&connus, etape);
    let fraction = ecoule(date);
    let mut hors_qpv = (0u64, 0u64); // (all, State)
    let mut par_id: std::collections::BTreeMap<&str, u64> = Default::default();
    for (i, d) in &counted {
        if avant(Some(*d)).is_none() {
            continue;
        }
        let m = &connus[*i];
        let r = m.reservataire.as_deref().unwrap_or_default();
        *par_id.entry(r).or_default() += 1;
        if !m.qpv {
            hors_qpv.0 += 1;
            if Portee::de(r).est_etat() {
                hors_qpv.1 += 1;
            }
        }
    }
    let counted_ids: std::collections::HashSet<usize> = counted.iter().map(|(i, _)| *i).collect();
    let mut candidats: Vec<(bool, Candidat)> = Vec::new();
    // The bailleur's own share is not a réservataire to orient to.
    for part in flux.reservataires.iter().filter(|p| p.logements > 0 && p.id != crate::model::Reservataire::NON_RESERVE)
    {
        let (objectif, dans_perimetre) = match &part.perimetre {
            Perimetre::Commune(c) => (
                flux.communes
                    .iter()
                    .find(|x| x.commune == *c)
                    .and_then(|x| x.reservataires.iter().find(|r| r.id == part.id))
                    .map(|r| r.logements)
                    .unwrap_or(0),
                *c == l.commune,
            ),
            _ => (part.logements, true),
        };
        if !dans_perimetre || objectif == 0 {
            continue;
        }
        let decomptes = par_id.get(part.id.as_str()).copied().unwrap_or(0);
        let en_cours = connus
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                m.reservataire.as_deref() == Some(part.id.as_str())
                    && m.hors_flux.is_none()
                    && !counted_ids.contains(i)
                    && m.etapes.date_bail.is_none()
                    && m.etapes.issue != Issue::Reprise
                    && m.etapes.issue != Issue::Reorientation
            })
            .count() as u64;
        let objectif_a_date = objectif as f64 * fraction;
        let retard = objectif_a_date - (decomptes + en_cours) as f64;
        let etat_d_abord = Portee::de(&part.id).est_etat()
            && !l.qpv
            && (hors_qpv.0 == 0 || (hors_qpv.1 as f64) < 0.30 * hors_qpv.0 as f64);
        let nombre = |x: f64| crate::format::nombre_fr(x, 1);
        let mut raison = format!(
            "objectif {objectif}, {} à date ; {} décompté{}, {en_cours} en cours : {} {}",
            nombre(objectif_a_date),
            decomptes,
            if decomptes > 1 { "s" } else { "" },
            if retard >= 0.0 { "retard de" } else { "avance de" },
            nombre(retard.abs())
        );
        if etat_d_abord {
            raison = format!(
                "logement hors QPV et part de l'État dans les décomptes hors QPV sous 30 % ({} sur {}) ; {raison}",
                hors_qpv.1, hors_qpv.0
            );
        }
        candidats.push((
            etat_d_abord,
            Candidat {
                id: part.id.clone(),
                objectif,
                objectif_a_date: (objectif_a_date * 10.0).round() / 10.0,
                decomptes,
                en_cours,
                retard: (retard * 10.0).round() / 10.0,
                raison,
            },
        ));
    }
    candidats.sort_by(|(ea, a), (eb, b)| {
        eb.cmp(ea).then(b.retard.partial_cmp(&a.retard).unwrap_or(std::cmp::Ordering::Equal)).then(a.id.cmp(&b.id))
    });
    Orientation {
        logement: l,
        date: date.to_string(),
        candidats: candidats.into_iter().map(|(_, c)| c).collect(),
        indications: vec![],
    }
}
