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

#[test]
fn la_date_de_reference_proposee_n_a_pas_presque_un_an() {
    use crate::ui::state::date_de_reference_proposee;
    use contingents::model::Date;
    let (d, pourquoi) = date_de_reference_proposee(Date::new(2026, 12, 4).unwrap());
    assert_eq!(d, Date::new(2027, 1, 1).unwrap());
    assert_eq!(
        pourquoi,
        "Proposée : le 1er janvier 2027, début de l'année du prochain flux (nous sommes en décembre 2026). Prenez la date des états des lieux que les bailleurs vous ont envoyés."
    );
    assert_eq!(date_de_reference_proposee(Date::new(2026, 10, 1).unwrap()).0, Date::new(2027, 1, 1).unwrap());
    let (d, pourquoi) = date_de_reference_proposee(Date::new(2026, 9, 30).unwrap());
    assert_eq!(d, Date::new(2026, 1, 1).unwrap());
    assert!(pourquoi.starts_with("Proposée : le 1er janvier 2026, début de l'année en cours."));
}

/// The demonstration on the bilans screen, the declaration form open on a dwelling of Var Logis
/// with its dates (no réservataire yet): (harness, dossier).
fn declaration_demo(t: &Temp) -> (Harness<'static, App>, PathBuf) {
    let (mut h, dossier) = demo(t);
    let reference = Dossier::open_read_only(&dossier).unwrap().logements_actifs_du_bailleur("Var Logis").unwrap()[2]
        .reference
        .clone();
    h.get_by_label("Bilans").click();
    h.run_steps(4);
    h.get_by_label("Déclarer une mise à disposition").click();
    h.run_steps(2);
    choisir(&mut h, "Bailleur du logement", "Var Logis");
    type_into(&mut h, "Référence du logement", &reference);
    type_into(&mut h, "Fin du préavis du locataire", "30/04/2025");
    type_into(&mut h, "Date de mise à disposition", "25/04/2025");
    (h, dossier)
}

#[test]
fn un_double_clic_ne_fait_qu_une_demande_et_un_refus_perime_s_efface() {
    let t = Temp::new("double-clic");
    let (mut h, dossier) = declaration_demo(&t);
    let saisies = |d: &PathBuf| contingents::suivi::saisies(&Dossier::open_read_only(d).unwrap()).unwrap().len();
    let avant = saisies(&dossier);
    // Without a réservataire: refused, said under the form and in the status bar.
    h.get_by_label("Enregistrer la mise à disposition").click();
    h.run_steps(2);
    let refus = "Choisissez à qui le logement est mis à disposition (un réservataire, ou une catégorie hors flux).";
    assert_eq!(h.query_all_by_label(refus).count(), 2);
    // The réservataire chosen: the refusal no longer holds, it goes from both places.
    choisir(&mut h, "Mis à disposition de", "Action Logement");
    h.run_steps(2);
    assert_eq!(h.query_all_by_label(refus).count(), 0);
    assert!(h.state().messages.error.is_none());
    // A double-click on « Enregistrer » while the saving runs (on its thread, as in the
    // window): one mise à disposition, no refusal of its own double.
    h.state_mut().travaux.synchrone = false;
    // The guard of the window (600 ms) measured in wall time: under a loaded machine a test
    // step alone may take longer, so the test gives it a span no step reaches — the rule under
    // test is « a second click within the span is the same request », not the span itself.
    assert_eq!(crate::ui::app::DOUBLE_CLIC, std::time::Duration::from_millis(600));
    h.state_mut().travaux.double_clic = std::time::Duration::from_secs(120);
    h.get_by_label("Enregistrer la mise à disposition").click();
    h.step();
    h.get_by_label("Enregistrer la mise à disposition").click();
    h.step();
    for _ in 0..500 {
        h.step();
        if h.state().travaux.job.is_none() && h.state().messages.status.starts_with("Mise à disposition") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run_steps(3);
    assert_eq!(saisies(&dossier), avant + 1);
    assert!(h.state().messages.error.is_none(), "{:?}", h.state().messages.error);
    assert!(
        h.state().messages.status.starts_with("Mise à disposition enregistrée : Var Logis "),
        "{}",
        h.state().messages.status
    );
    // An error does not follow to another screen.
    h.state_mut().messages.error = Some(crate::ui::erreur::Erreur::Texte("Erreur de l'écran Bilans".into()));
    h.get_by_label("Consolidation").click();
    h.run_steps(2);
    assert!(h.state().messages.error.is_none());
}

#[test]
fn le_bandeau_des_libelles_ne_deplace_pas_le_tableau() {
    let t = Temp::new("bandeau");
    let dossier = t.0.join("d.sqlite");
    {
        let d = Dossier::open(&dossier, true).unwrap();
        d.set_parametre("territoire", "240600585").unwrap();
    }
    let f = t.0.join("azur_habitat_edl.xlsx");
    super::write_file(&f);
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, crate::ui::state::Action::Prepare(vec![f]));
    h.run_steps(2);
    h.get_by_label("Reprendre « Azur Habitat » (nom du fichier)").click();
    h.run_steps(2);
    h.get_by_label("Importer").click();
    h.run_steps(3);
    h.get_by_label("Libellés à rapprocher").click();
    h.run_steps(3);
    // No filter panel on this screen: no button to fold it either.
    assert!(h.query_by_label("Masquer les filtres (F9)").is_none());
    let haut = |h: &Harness<'static, App>| h.get_by_label("Amicale des cheminots").rect().top();
    let y0 = haut(&h);
    h.get_by_label(
        "Choisissez une valeur dans « Associer à… » : l'association vous est demandée ici avant d'être appliquée.",
    );
    // A value chosen: the question takes the banner's place, the table stays where it was.
    h.get_by_label("Associer « Amicale des cheminots » à…").click();
    h.run_steps(2);
    h.get_by_label("Action Logement").click();
    h.run_steps(3);
    h.get_by_label("Confirmer l'association");
    assert_eq!(haut(&h), y0);
    // Confirmed: the last mapping, undoable, in the same place.
    h.get_by_label("Confirmer l'association").click();
    h.run_steps(3);
    h.get_by_label("Annuler l'association");
    assert!(h.query_by_label("Amicale des cheminots").is_none());
}

/// The dossier's bailleur named by a register's file name, proposed in the wizard: words
/// whole, whatever accents, capitals and separators; none when two could be meant.
#[test]
fn le_bailleur_d_un_registre_propose_d_apres_le_nom_du_fichier() {
    use crate::ui::screens::bailleur_nomme_par_le_fichier as nomme;
    let b = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let dossier = b(&["Habitat Azur", "Logis des Oliviers", "Toits de la Brague"]);
    assert_eq!(nomme("habitat_azur_suivi_2024.csv", &dossier).as_deref(), Some("Habitat Azur"));
    assert_eq!(nomme("/tmp/x/SUIVI - Logis des oliviers.xlsx", &dossier).as_deref(), Some("Logis des Oliviers"));
    assert_eq!(nomme("suivi_2024.csv", &dossier), None);
    // A word is not a piece of a word.
    assert_eq!(nomme("habitat_azurite.csv", &dossier), None);
    // Two named: none proposed; a name within another gives way to it.
    assert_eq!(nomme("habitat_azur_et_toits_de_la_brague.csv", &dossier), None);
    let var = b(&["Habitat Azur", "Habitat Azur Var"]);
    assert_eq!(nomme("registre_habitat_azur_var.csv", &var).as_deref(), Some("Habitat Azur Var"));
    assert_eq!(
        nomme("Société Côte Habitat.csv", &b(&["Societe Cote Habitat"])).as_deref(),
        Some("Societe Cote Habitat")
    );
}
