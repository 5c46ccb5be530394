//! The fiche récapitulative du calcul de l'assiette (DDETS 06 form), per bailleur: one
//! column per EPCI on which the bailleur has dwellings, and a total per département. Every
//! figure comes from the flux engine with the saved parameters, as on the flux screen.

use super::{ExportError, save_workbook};
use crate::consolidate::nom_epci;
use crate::flux::{Flux, FluxParametres, calculer, groupes_par_epci, parametres};
use crate::reference::reference;
use crate::store::Dossier;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::collections::BTreeMap;
use std::path::Path;

/// The EPCIs on which a bailleur has active dwellings.
pub fn epcis_du_bailleur(d: &Dossier, bailleur: &str) -> Result<Vec<String>, ExportError> {
    Ok(groupes_par_epci(d, bailleur)?.into_keys().collect())
}

/// One column of the form: an EPCI, or the total of a département.
pub struct Colonne {
    pub titre: String,
    pub flux: Flux,
    pub parametres: Option<FluxParametres>,
}

/// Computes the flux of each EPCI of the bailleur with its saved parameters, then a total
/// column per département.
pub fn calculs(d: &Dossier, bailleur: &str, annee: i32) -> Result<Vec<Colonne>, ExportError> {
    let par_epci = groupes_par_epci(d, bailleur)?;
    if par_epci.is_empty() {
        return Err(ExportError::Donnees(format!("aucun logement du bailleur « {bailleur} » dans le dossier")));
    }
    let mut par_dep: BTreeMap<String, Vec<Colonne>> = BTreeMap::new();
    for (e, g) in par_epci {
        let dep = g
            .first()
            .and_then(|g| reference().commune(&g.commune))
            .map(|c| c.departement.to_string())
            .unwrap_or_default();
        let p = parametres(d, bailleur, &e, annee)?;
        let flux = calculer(bailleur, &e, annee, &g, &p);
        par_dep.entry(dep).or_default().push(Colonne { titre: nom_epci(&e), flux, parametres: Some(p) });
    }
    let mut out = Vec::new();
    for (dep, cols) in par_dep {
        let total = somme(&dep, &cols);
        out.extend(cols);
        out.push(total);
    }
    Ok(out)
}

/// The département column: the sum of its EPCIs (rates recomputed from the sums).
fn somme(dep: &str, cols: &[Colonne]) -> Colonne {
    let mut f = cols[0].flux.clone();
    f.epci = None;
    f.departement = Some(dep.to_string());
    for c in &cols[1..] {
        let g = &c.flux;
        f.parc += g.parc;
        f.exclus += g.exclus;
        f.assiette += g.assiette;
        f.liberations += g.liberations;
        f.flux += g.flux;
        for (m, n) in &g.exclusions {
            *f.exclusions.entry(m.clone()).or_default() += n;
        }
        for (m, n) in &g.soustraits {
            *f.soustraits.entry(m.clone()).or_default() += n;
        }
        for r in &g.reservataires {
            match f.reservataires.iter_mut().find(|x| x.id == r.id) {
                Some(x) => x.logements += r.logements,
                None => f.reservataires.push(r.clone()),
            }
        }
    }
    f.taux_rotation = if f.assiette > 0 { f.liberations as f64 / f.assiette as f64 } else { 0.0 };
    let nom = reference().departement(dep).map(|d| d.nom.clone()).unwrap_or_else(|| dep.to_string());
    Colonne { titre: format!("Total département {nom} ({dep})"), flux: f, parametres: None }
}

/// A cell of the form. Numbers stay numbers in the workbook.
pub enum Valeur {
    Nombre(f64),
    Texte(String),
    Pourcent(f64),
    Vide,
}

fn oui_non(v: Option<bool>) -> Valeur {
    match v {
        Some(true) => Valeur::Texte("OUI".into()),
        Some(false) => Valeur::Texte("NON".into()),
        None => Valeur::Texte("non renseigné".into()),
    }
}

/// The rows of the form, in the order of the DDETS 06 form: (label, value per column).
pub fn lignes(cols: &[Colonne]) -> Vec<(String, Vec<Valeur>)> {
    let motifs = |get: &dyn Fn(&Flux) -> Vec<String>| {
        let mut v: Vec<String> = cols.iter().flat_map(|c| get(&c.flux)).collect();
        v.sort();
        v.dedup();
        v
    };
    let motifs_exclusion = motifs(&|f| f.exclusions.keys().cloned().collect());
    let motifs_soustraits = motifs(&|f| f.soustraits.keys().cloned().collect());
    let col = |g: &dyn Fn(&Flux, Option<&FluxParametres>) -> Valeur| {
        cols.iter().map(|c| g(&c.flux, c.parametres.as_ref())).collect::<Vec<_>>()
    };
    let n = |x: u64| Valeur::Nombre(x as f64);
    let param = |g: &dyn Fn(&FluxParametres) -> Valeur| {
        col(&|_, p| match p {
            Some(p) => g(p),
            None => Valeur::Vide,
        })
    };
    let mut rows: Vec<(String, Vec<Valeur>)> = vec![
        ("SIREN de l'EPCI".into(), col(&|f, _| Valeur::Texte(f.epci.clone().unwrap_or_default()))),
        (
            "Correspondant chez le bailleur (nom, fonction, téléphone, courriel)".into(),
            param(&|p| Valeur::Texte(p.contact.clone())),
        ),
        ("CUS prise en compte pour les soustraits".into(), param(&|p| oui_non(p.cus))),
        ("Charte de relogement prise en compte".into(), param(&|p| oui_non(p.charte_relogement))),
        (
            "Paramètres du flux".into(),
            param(&|p| {
                Valeur::Texte(match (p.saisis(), p.annee_source) {
                    (false, _) => "AUCUN PARAMÈTRE SAISI : libérations et flux à 0".into(),
                    (true, Some(a)) => format!("repris de {a}, à confirmer"),
                    (true, None) => "saisis pour l'année".into(),
                })
            }),
        ),
        ("Parc RPLS au 1er janvier".into(), col(&|f, _| n(f.parc))),
        ("Total exclus de l'assiette".into(), col(&|f, _| n(f.exclus))),
    ];
    for m in &motifs_exclusion {
        rows.push((format!("  dont {m}"), col(&|f, _| n(f.exclusions.get(m).copied().unwrap_or(0)))));
    }
    rows.push((
        "Opérations nouvelles (mises en service, dans l'assiette l'an prochain)".into(),
        param(&|p| n(p.mises_en_service)),
    ));
    rows.push(("Assiette à répartir".into(), col(&|f, _| n(f.assiette))));
    rows.push(("Taux de rotation commun aux réservataires".into(), col(&|f, _| Valeur::Pourcent(f.taux_rotation))));
    rows.push(("Libérations prévisionnelles".into(), col(&|f, _| n(f.liberations))));
    rows.push(("Total soustraits du flux".into(), col(&|f, _| n(f.soustraits.values().sum()))));
    for m in &motifs_soustraits {
        let label = match m.as_str() {
            "mutations" => "mutations internes".to_string(),
            "relogements" => "relogements (ANRU / NPNRU, ORCOD, LHI)".to_string(),
            "ventes" => "relogements liés aux ventes".to_string(),
            other if crate::flux::accord_prefet_requis(other) => format!("{other} (accord du préfet requis)"),
            other => other.to_string(),
        };
        rows.push((format!("  dont {label}"), col(&|f, _| n(f.soustraits.get(m).copied().unwrap_or(0)))));
    }
    rows.push((
        "Justification des soustraits".into(),
        param(&|p| {
            Valeur::Texte(
                p.soustraits
                    .iter()
                    .filter(|(_, _, j)| !j.is_empty())
                    .map(|(m, n, j)| format!("{m} ({n}) : {j}"))
                    .collect::<Vec<_>>()
                    .join(" ; "),
            )
        }),
    ));
    rows.push(("Flux annuel à répartir".into(), col(&|f, _| n(f.flux))));
    let taux = |f: &Flux, id: &str| {
        let l = f.logements(id);
        Valeur::Pourcent(if f.flux > 0 { l as f64 / f.flux as f64 } else { f.part(id).map(|r| r.taux).unwrap_or(0.0) })
    };
    rows.push(("Demande de l'État : candidats prioritaires (part du flux)".into(), col(&|f, _| taux(f, "etat"))));
    rows.push(("Demande de l'État : candidats prioritaires (logements)".into(), col(&|f, _| n(f.logements("etat")))));
    rows.push((
        "Demande de l'État : candidats fonctionnaires (part du flux)".into(),
        col(&|f, _| taux(f, "etat-fonctionnaires")),
    ));
    rows.push((
        "Demande de l'État : candidats fonctionnaires (logements)".into(),
        col(&|f, _| n(f.logements("etat-fonctionnaires"))),
    ));
    rows.push((
        "Part de l'État".into(),
        param(&|p| {
            Valeur::Texte(match p.taux_etat_pct {
                None => "30 % par défaut (instruction du 28 mars 2022)".into(),
                Some(x) => format!("{} saisi", crate::format::pourcentage(x / 100.0)),
            })
        }),
    ));
    rows.push(("Logements spécifiques de l'assiette : PMR-USH".into(), param(&|p| n(p.logements_pmr))));
    rows.push(("Logements spécifiques de l'assiette : PLAI adaptés".into(), param(&|p| n(p.plai_adaptes))));
    rows.push((
        "Commentaires (logements spécifiques, mutations, relogements)".into(),
        param(&|p| Valeur::Texte(p.commentaires.clone())),
    ));
    rows
}

pub fn export(d: &Dossier, bailleur: &str, annee: i32, out: &Path) -> Result<(), ExportError> {
    let cols = calculs(d, bailleur, annee)?;
    let rows = lignes(&cols);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let e = |x: rust_xlsxwriter::XlsxError| ExportError::Donnees(x.to_string());
    ws.set_name("Calcul de l'assiette").map_err(e)?;
    let titre = Format::new().set_bold().set_font_size(14);
    let alerte = Format::new().set_bold().set_font_color(Color::RGB(0xB00020));
    let entete = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let libelle = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let nombre = Format::new().set_border(FormatBorder::Thin).set_num_format("# ##0");
    let pourcent = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%");
    let texte = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    ws.write_string_with_format(0, 0, format!("Fiche récapitulative du calcul de l'assiette — flux {annee}"), &titre)
        .map_err(e)?;
    ws.write_string(1, 0, format!("Bailleur : {bailleur}")).map_err(e)?;
    ws.write_string(2, 0, format!("Date de référence du dossier : {}", d.date_reference())).map_err(e)?;
    let sans_parametres: Vec<&str> =
        cols.iter().filter(|c| c.parametres.as_ref().is_some_and(|p| !p.saisis())).map(|c| c.titre.as_str()).collect();
    if !sans_parametres.is_empty() {
        ws.write_string_with_format(
            3,
            0,
            format!(
                "Attention : aucun paramètre du flux saisi pour {} : libérations et flux à 0 tant qu'ils ne sont pas enregistrés",
                sans_parametres.join(", ")
            ),
            &alerte,
        )
        .map_err(e)?;
    }
    ws.write_string_with_format(4, 0, "Rubrique", &entete).map_err(e)?;
    for (j, c) in cols.iter().enumerate() {
        ws.write_string_with_format(4, 1 + j as u16, &c.titre, &entete).map_err(e)?;
    }
    for (i, (label, vals)) in rows.iter().enumerate() {
        let r = 5 + i as u32;
        ws.write_string_with_format(r, 0, label, &libelle).map_err(e)?;
        for (j, v) in vals.iter().enumerate() {
            let c = 1 + j as u16;
            match v {
                Valeur::Nombre(x) => ws.write_number_with_format(r, c, *x, &nombre),
                Valeur::Pourcent(x) => ws.write_number_with_format(r, c, *x, &pourcent),
                Valeur::Texte(s) => ws.write_string_with_format(r, c, s, &texte),
                Valeur::Vide => ws.write_blank(r, c, &texte),
            }
            .map_err(e)?;
        }
    }
    ws.set_column_width(0, 62).map_err(e)?;
    for j in 0..cols.len() {
        ws.set_column_width(1 + j as u16, 30).map_err(e)?;
    }
    ws.set_freeze_panes(5, 1).map_err(e)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    save_workbook(&mut wb, out)
}
