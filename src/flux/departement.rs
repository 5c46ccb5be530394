//! Rule 9, the département level: each EPCI of the bailleur computed with the departmental
//! réservataires' rates on the département's assiette, and their sum.

use super::*;

/// The flux of a bailleur on a département (rule 9): each EPCI computed with the departmental
/// réservataires' rates on the département's assiette, and their sum.
pub fn calculer_departement(
    bailleur: &str,
    departement: &str,
    annee: i32,
    epcis: &[(String, Vec<Groupe>, FluxParametres)],
) -> Flux {
    let bases: Vec<Base> = epcis.iter().map(|(_, g, p)| Base::new(g, p)).collect();
    let mut dep = Departemental { code: departement.to_string(), assiette: 0, stocks: BTreeMap::new() };
    for b in &bases {
        dep.assiette += b.assiette();
        for c in &b.communes {
            for (id, n) in &c.stocks {
                if matches!(portee(id), Portee::Departementale | Portee::Etat) {
                    *dep.stocks.entry(id.clone()).or_default() += n;
                }
            }
        }
    }
    let par_epci: Vec<Flux> =
        epcis.iter().zip(&bases).map(|((e, _, p), b)| calculer_sur(bailleur, e, annee, b, p, Some(&dep))).collect();
    let mut total = Flux {
        bailleur: bailleur.into(),
        epci: None,
        departement: Some(departement.into()),
        annee,
        parc: 0,
        exclus: 0,
        exclusions: BTreeMap::new(),
        assiette: 0,
        taux_rotation: 0.0,
        liberations: 0,
        soustraits: BTreeMap::new(),
        flux: 0,
        parametres_a_confirmer: false,
        reservataires: vec![],
        communes: vec![],
        flux_qualifie: BTreeMap::new(),
        alertes: vec![],
        epcis: vec![],
    };
    let mut qualifie: BTreeMap<String, BTreeMap<Cle, u64>> = BTreeMap::new();
    for f in &par_epci {
        total.parc += f.parc;
        total.exclus += f.exclus;
        total.assiette += f.assiette;
        total.liberations += f.liberations;
        total.flux += f.flux;
        total.parametres_a_confirmer |= f.parametres_a_confirmer;
        for (m, n) in &f.exclusions {
            *total.exclusions.entry(m.clone()).or_default() += n;
        }
        for (m, n) in &f.soustraits {
            *total.soustraits.entry(m.clone()).or_default() += n;
        }
        for part in &f.reservataires {
            match total.reservataires.iter_mut().find(|x| x.id == part.id) {
                Some(x) => {
                    x.logements += part.logements;
                    if !matches!(x.perimetre, Perimetre::Departement(_)) && x.perimetre != part.perimetre {
                        x.stock += part.stock;
                        x.assiette += part.assiette;
                        x.taux = if x.assiette > 0 { x.stock as f64 / x.assiette as f64 } else { x.taux };
                    }
                }
                None => total.reservataires.push(part.clone()),
            }
        }
        total.communes.extend(f.communes.iter().cloned());
        for (id, cells) in &f.flux_qualifie {
            for c in cells {
                *qualifie.entry(id.clone()).or_default().entry((c.financement, c.typologie, c.qpv)).or_default() +=
                    c.logements;
            }
        }
        let nom = nom_epci(f.epci.as_deref().unwrap_or_default());
        total.alertes.extend(f.alertes.iter().map(|a| Alerte { detail: format!("{nom} — {}", a.detail), ..a.clone() }));
    }
    // Non réservé last, the State first: the order of one EPCI's parts, merged.
    let rang = |id: &str| match id {
        ETAT => 0,
        FONCTIONNAIRES => 1,
        NON_RESERVE => 3,
        _ => 2,
    };
    total.reservataires.sort_by(|a, b| rang(&a.id).cmp(&rang(&b.id)).then(a.id.cmp(&b.id)));
    for part in total.reservataires.iter_mut() {
        if part.id == NON_RESERVE {
            part.perimetre = Perimetre::Departement(departement.into());
            part.assiette = dep.assiette;
        }
        if total.flux > 0 && matches!(portee(&part.id), Portee::NonReserve) {
            part.taux = part.logements as f64 / total.flux as f64;
        }
    }
    total.taux_rotation = if total.assiette > 0 { total.liberations as f64 / total.assiette as f64 } else { 0.0 };
    total.flux_qualifie = qualifie
        .into_iter()
        .map(|(id, cells)| {
            let v = cells
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|((financement, typologie, qpv), logements)| CelluleQualifiee {
                    financement,
                    typologie,
                    qpv,
                    logements,
                })
                .collect();
            (id, v)
        })
        .collect();
    let etat = total.logements_etat();
    let plafond = floor(0.30 * total.flux as f64);
    let arrete = epcis.iter().any(|(_, _, p)| p.arrete_prefectoral.as_ref().is_some_and(|a| !a.trim().is_empty()));
    if etat > plafond && !arrete {
        total.alertes.push(
            Alerte::new(
                "etat_max_30",
                format!("l'État obtient {etat} logements sur le département, plus que 30 % du flux ({plafond})"),
            )
            .pour(ETAT),
        );
    }
    total.epcis = par_epci;
    total
}
