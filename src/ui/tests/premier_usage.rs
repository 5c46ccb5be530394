//! The two first-time users' reviews of the window (second round), each finding driven
//! through the window by its labels: the bailleur renamed, the typed reference replaced by a
//! choice of dwelling, what to do when a flux is missing, messages that do not pile up nor
//! outlive their situation.

use super::{Temp, choisir, harness, type_into};
use crate::ui::app::App;
use contingents::consolidate::Filtre;
use contingents::store::Dossier;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;

/// The demonstration dossier open in the window: (harness, dossier).
fn demo(t: &Temp) -> (Harness<'static, App>, PathBuf) {
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    (h, dossier)
}

fn total_du_bailleur(h: &Harness<'static, App>, b: &str) -> u64 {
    let f = Filtre { bailleur: Some(b.into()), ..Default::default() };
    h.state().view.as_ref().unwrap().cube.total(&f)
}

#[test]
fn un_bailleur_se_renomme_depuis_l_historique_et_un_nom_pris_est_refuse() {
    let t = Temp::new("renommer");
    let (mut h, dossier) = demo(&t);
    let avant = total_du_bailleur(&h, "Var Logis");
    assert!(avant > 0);
    h.state_mut().state.filters.bailleur = Some("Var Logis".into());
    h.get_by_label("Historique").click();
    h.run_steps(3);
    h.get_by_label("Bailleurs du dossier (3)").click();
    h.run_steps(2);
    h.get_by_label("Renommer « Var Logis »…").click();
    h.run_steps(2);
    // A name another bailleur has (with other accents): said at once, the button disabled.
    type_into(&mut h, "Nouveau nom :", "Habitat Mediterranee");
    h.get_by_label(
        "le nom « Habitat Mediterranee » est déjà pris par le bailleur « Habitat Méditerranée » du dossier : choisissez un autre nom",
    );
    h.get_by_label("Renommer").click();
    h.run_steps(3);
    assert!(h.state().view.as_ref().unwrap().bailleurs_du_dossier.contains(&"Var Logis".to_string()));
    type_into(&mut h, "Nouveau nom :", "Var Logis Habitat");
    h.get_by_label("Renommer").click();
    h.run_steps(4);
    assert_eq!(
        h.state().messages.status,
        "Bailleur « Var Logis » renommé « Var Logis Habitat » (noté dans l'historique)"
    );
    let v = h.state().view.as_ref().unwrap();
    assert!(!v.bailleurs_du_dossier.contains(&"Var Logis".to_string()));
    assert!(v.bailleurs_du_dossier.contains(&"Var Logis Habitat".to_string()));
    // Its dwellings, its register and its saved flux follow it; the filter too.
    assert_eq!(total_du_bailleur(&h, "Var Logis Habitat"), avant);
    assert_eq!(total_du_bailleur(&h, "Var Logis"), 0);
    assert_eq!(h.state().state.filters.bailleur.as_deref(), Some("Var Logis Habitat"));
    let d = Dossier::open_read_only(&dossier).unwrap();
    assert_eq!(d.journal().unwrap().len(), 1);
    assert!(contingents::flux::parametres(&d, "Var Logis Habitat", "248300543", 2025).unwrap().rotation_pct.is_some());
    // Recorded in the history, with its date.
    h.run_steps(2);
    assert!(h.query_by_label_contains(" — Bailleur « Var Logis » renommé « Var Logis Habitat »").is_some());
}

/// The form's réservataire, as its list shows it.
fn destinataire(h: &Harness<'static, App>) -> String {
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Mis à disposition de").value().unwrap_or_default()
}

#[test]
fn le_logement_se_choisit_dans_une_liste_et_son_classement_ne_reste_pas_au_suivant() {
    let t = Temp::new("choix-logement");
    let (mut h, dossier) = demo(&t);
    let d = Dossier::open_read_only(&dossier).unwrap();
    let logements = d.logements_actifs_du_bailleur("Var Logis").unwrap();
    let (premier, second) = (&logements[0], &logements[1]);
    h.get_by_label("Bilans").click();
    h.run_steps(4);
    h.get_by_label("Déclarer une mise à disposition").click();
    h.run_steps(2);
    choisir(&mut h, "Bailleur du logement", "Var Logis");
    // The beginning of the reference typed: the bailleur's dwellings that match, with their
    // commune, typology and financement; one click chooses it.
    let debut: String = premier.reference.chars().take(premier.reference.len() - 1).collect();
    type_into(&mut h, "Référence du logement", &debut);
    let texte = format!(
        "{} — {} — {} — {}{}",
        premier.reference,
        contingents::consolidate::nom_commune(&premier.commune),
        premier.typologie,
        premier.financement.as_str(),
        if premier.qpv { " — QPV" } else { "" }
    );
    h.get_by_label(&texte).click();
    h.run_steps(3);
    assert_eq!(
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Référence du logement").value().as_deref(),
        Some(premier.reference.as_str())
    );
    h.get_by_label(&format!("Logement : {texte}"));
    // A réservataire and a household chosen for it…
    choisir(&mut h, "Mis à disposition de", "Action Logement");
    choisir(&mut h, "Ménage", "Public prioritaire DALO");
    assert_eq!(destinataire(&h), "Action Logement");
    // … do not stay when another dwelling is chosen.
    type_into(&mut h, "Référence du logement", &second.reference);
    h.run_steps(2);
    assert_eq!(destinataire(&h), "choisir…");
    assert_eq!(
        h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Ménage").value().as_deref(),
        Some("Non renseigné")
    );
    // A reference no dwelling has: said.
    type_into(&mut h, "Référence du logement", "ZZZ-inexistant");
    h.get_by_label("Aucun logement de Var Logis dont la référence contient « ZZZ-inexistant ».");
}

#[test]
fn classer_sans_flux_enregistre_dit_quoi_faire_et_y_mene() {
    let t = Temp::new("classer-sans-flux");
    let (mut h, dossier) = demo(&t);
    let d = Dossier::open_read_only(&dossier).unwrap();
    let reference = d.logements_actifs_du_bailleur("Var Logis").unwrap()[0].reference.clone();
    h.get_by_label("Bilans").click();
    h.run_steps(4);
    h.get_by_label("Orienter un logement libéré").click();
    h.run_steps(2);
    choisir(&mut h, "Bailleur du logement libéré", "Var Logis");
    type_into(&mut h, "Référence du logement libéré", &reference);
    // 2026: the demonstration saved the flux of 2025 only.
    type_into(&mut h, "Date de libération", "15/03/2026");
    h.get_by_label("Classer les réservataires").click();
    h.run_steps(4);
    let epci = contingents::consolidate::nom_epci(contingents::demo::DEMO_TERRITOIRE);
    h.get_by_label(&format!(
        "Enregistrez d'abord le flux de Var Logis pour 2026 dans l'écran Flux ({epci}) : sans lui, aucun réservataire n'a d'objectif sur ce logement. Ou choisissez le réservataire dans la liste, sans classement."
    ));
    h.get_by_label("Ouvrir le flux de Var Logis 2026 dans l'écran Flux").click();
    h.run_steps(5);
    assert_eq!(h.state().state.screen, crate::ui::state::Screen::Flux);
    let fv = h.state().ecrans.flux.as_ref().expect("the flux screen on that selection");
    assert_eq!(
        (fv.bailleur.as_str(), fv.epci.as_str(), fv.annee),
        ("Var Logis", contingents::demo::DEMO_TERRITOIRE, 2026)
    );
    // The year saved ranks as before.
    h.get_by_label("Bilans").click();
    h.run_steps(4);
    type_into(&mut h, "Date de libération", "15/03/2025");
    h.get_by_label("Classer les réservataires").click();
    h.run_steps(4);
    let o = h.state().ecrans.bilan.as_ref().unwrap().orientation.as_ref().unwrap();
    assert!(!o.1.as_ref().expect("ranked").candidats.is_empty());
}
