//! The data of an annex on a commune or an EPCI: the flux of the EPCI (its part of the
//! departmental flux when that governs the year), the réservataire's part, stock and grid.

use super::{Annexe, PerimetreAnnexe, ids_de};
use crate::consolidate::{Cube, Filtre, Grille, nom_commune, nom_epci};
use crate::export::ExportError;
use crate::flux::Perimetre;
use crate::format::commune_de;
use crate::model::Reservataire;
use crate::reference::reference;
use crate::store::Dossier;

/// The bailleur of the annex: the one given, else the only one on the perimeter.
fn bailleur_du_perimetre(
    cube: &Cube,
    bailleur: Option<&str>,
    commune: Option<&str>,
    epci: Option<&str>,
) -> Result<String, ExportError> {
    if let Some(b) = bailleur {
        return Ok(b.to_string());
    }
    let f = Filtre { commune: commune.map(str::to_string), epci: epci.map(str::to_string), ..Default::default() };
    let mut noms: Vec<String> = cube
        .counts_by(&f, None, crate::consolidate::Dimension::Bailleur)
        .into_iter()
        .map(|(b, _)| b.to_string())
        .collect();
    noms.sort();
    noms.dedup();
    match noms.len() {
        1 => Ok(noms.remove(0)),
        0 => Err(ExportError::Donnees("aucun logement sur ce périmètre dans le dossier".into())),
        _ => Err(ExportError::Donnees(format!(
            "une convention lie un bailleur et un réservataire : précisez le bailleur (sur ce périmètre : {})",
            noms.join(", ")
        ))),
    }
}

/// The annex of a convention on a commune or an EPCI.
pub fn calculer_annexe(
    d: &Dossier,
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
    annee: Option<i32>,
) -> Result<Annexe, ExportError> {
    let epci_flux = match (commune, epci) {
        (Some(c), _) => reference()
            .commune(c)
            .and_then(|c| c.epci)
            .map(str::to_string)
            .ok_or_else(|| ExportError::Donnees(format!("commune {c} inconnue ou sans EPCI")))?,
        (_, Some(e)) => e.to_string(),
        _ => return Err(ExportError::Donnees("précisez la commune (code INSEE) ou l'EPCI (SIREN)".into())),
    };
    let perimetre = match commune {
        Some(c) => PerimetreAnnexe::Commune { insee: c.to_string(), epci: epci_flux.clone() },
        None => PerimetreAnnexe::Epci(epci_flux.clone()),
    };
    let libelle_perimetre = match commune {
        Some(c) => format!("la {} ({c})", commune_de(&nom_commune(c))),
        None => format!("l'EPCI {}", nom_epci(&epci_flux)),
    };
    let cube = Cube::load(d)?;
    let bailleur = bailleur_du_perimetre(&cube, bailleur, commune, epci.or(Some(&epci_flux)))?;
    let annee = annee.unwrap_or(d.date_reference().year);
    let g = crate::flux::groupes(d, &bailleur, &epci_flux)?;
    if g.is_empty() || (commune.is_some() && !g.iter().any(|x| Some(x.commune.as_str()) == commune)) {
        return Err(ExportError::Donnees(format!(
            "aucun logement de « {bailleur} » sur le périmètre : {libelle_perimetre}"
        )));
    }
    super::verifier_flux_enregistre(d, &bailleur, &epci_flux, annee)?;
    let gouvernant = crate::flux::departement_gouvernant(d, &bailleur, &g, annee)?;
    let flux = crate::flux::flux_de_l_epci(d, &bailleur, &epci_flux, annee, &g)?;
    let (saisis, annee_source) = match &gouvernant {
        Some(_) => (true, None),
        None => {
            let p = crate::flux::parametres(d, &bailleur, &epci_flux, annee)?;
            (p.saisis() && p.annee_source.is_none(), p.annee_source)
        }
    };
    let part = flux.part(reservataire).cloned();
    let ids = ids_de(reservataire);
    let (parc, exclus, exclusions, assiette, flux_perimetre, logements) = match commune {
        Some(c) => {
            let fc = flux.communes.iter().find(|x| x.commune == c).ok_or_else(|| {
                ExportError::Donnees(format!("la commune {c} n'est pas dans le flux de « {bailleur} »"))
            })?;
            let l = fc.reservataires.iter().filter(|r| ids.contains(&r.id)).map(|r| r.logements).sum();
            (fc.parc, fc.exclus, fc.exclusions.clone(), fc.assiette, fc.flux, l)
        }
        None => (
            flux.parc,
            flux.exclus,
            flux.exclusions.clone(),
            flux.assiette,
            flux.flux,
            ids.iter().map(|id| flux.logements(id)).sum(),
        ),
    };
    // The stock inside the assiette of the annex's perimeter (manual exclusions included).
    let dans_le_perimetre = crate::flux::groupes_perimetre(d, Some(&bailleur), commune, Some(&epci_flux))?;
    let stock_de = |id: &str| -> u64 {
        dans_le_perimetre
            .iter()
            .filter(|x| x.reservataire == id && crate::flux::exclusion(x).is_none())
            .map(|x| x.logements)
            .sum()
    };
    let stock_agents = if reservataire == Reservataire::ETAT { stock_de(&Reservataire::FONCTIONNAIRES) } else { 0 };
    let stock = match (&part, commune) {
        (Some(r), Some(c)) if r.perimetre == Perimetre::Commune(c.to_string()) => r.stock,
        (Some(r), None) if r.perimetre == Perimetre::Epci(epci_flux.clone()) => r.stock,
        _ => stock_de(reservataire),
    };
    let mut grille = Grille::default();
    for id in &ids {
        let f = Filtre {
            reservataire: Some(Reservataire::new(id.to_string())),
            commune: commune.map(str::to_string),
            epci: Some(epci_flux.clone()),
            bailleur: Some(bailleur.clone()),
            ..Default::default()
        };
        ajouter(&mut grille, cube.grille(&f));
    }
    Ok(Annexe {
        reservataire: Reservataire::new(reservataire),
        coordonnees: d.coordonnees_du_bailleur(&bailleur)?,
        decompte: crate::suivi::etape_decompte(d, &bailleur, reservataire),
        regle_delai: crate::suivi::regle_delai(d, &bailleur, reservataire),
        bailleur,
        annee,
        date_reference: d.date_reference().to_string(),
        perimetre,
        libelle_perimetre,
        flux,
        part,
        parc,
        exclusions,
        exclus,
        assiette,
        stock,
        stock_agents,
        grille,
        flux_perimetre,
        logements,
        saisis,
        annee_source,
        departement_gouvernant: gouvernant,
        departement_enregistre: false,
        epcis_sans_parametres: vec![],
        couverture: None,
    })
}

/// Adds a grid to another.
pub(super) fn ajouter(grille: &mut Grille, g: Grille) {
    for (fin, row) in g.counts {
        let t = grille.counts.entry(fin).or_default();
        for (x, n) in t.iter_mut().zip(row) {
            *x += n;
        }
    }
}
