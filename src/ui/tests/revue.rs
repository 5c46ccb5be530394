//! The first-time user's review of the window (review-ui), each finding driven through the
//! window by its labels: unsaved flux parameters never saved nor lost without a word, the
//! save dialog that never overwrites without asking, the lists behind the counts.

use super::{Temp, classeur, harness, type_into};
use crate::ui::app::App;
use contingents::store::Dossier;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;

/// The demonstration dossier on the flux screen: (harness, dossier, bailleur, EPCI, year).
fn flux_demo(t: &Temp) -> (Harness<'static, App>, PathBuf, String, String, i32) {
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Flux annuel").click();
    h.run_steps(4);
    let fv = h.state().ecrans.flux.as_ref().expect("flux loaded");
    let (b, e, a) = (fv.bailleur.clone(), fv.epci.clone(), fv.annee);
    (h, dossier, b, e, a)
}

fn rotation_enregistree(dossier: &std::path::Path, b: &str, e: &str, a: i32) -> Option<f64> {
    let d = Dossier::open_read_only(dossier).unwrap();
    contingents::flux::parametres(&d, b, e, a).unwrap().rotation_pct
}

/// A1: an export asked while parameters are typed and not saved asks first; « Annuler »
/// saves nothing, « Exporter avec les paramètres enregistrés » saves nothing either, « Les
/// enregistrer, puis exporter » saves them and then exports.
#[test]
fn un_export_n_enregistre_jamais_les_parametres_en_silence() {
    let t = Temp::new("a1");
    let (mut h, dossier, b, e, a) = flux_demo(&t);
    type_into(&mut h, "Taux de rotation", "8,5");
    h.get_by_label("Enregistrer les paramètres").click();
    h.run_steps(4);
    assert_eq!(rotation_enregistree(&dossier, &b, &e, a), Some(8.5));
    // A « what if »: 9 %, not saved.
    type_into(&mut h, "Taux de rotation", "9");
    h.get_by_label("Paramètres modifiés, non enregistrés");
    for bouton in ["Annexe d'un réservataire…", "Fiche de l'assiette…", "Prévision des soustraits…"] {
        h.get_by_label(bouton).click();
        h.run_steps(3);
        h.get_by_label("Paramètres du flux non enregistrés");
        h.get_by_label("• Taux de rotation : 9,0\u{a0}% (enregistré : 8,5\u{a0}%)");
        h.get_by_label("Annuler").click();
        h.run_steps(3);
        assert!(h.query_by_label("Paramètres du flux non enregistrés").is_none());
        assert!(h.state().ecrans.annexe.is_none() && h.state().fichiers.picker.is_none(), "{bouton}: nothing follows");
        assert_eq!(rotation_enregistree(&dossier, &b, &e, a), Some(8.5), "{bouton}: cancelled, nothing saved");
        assert_eq!(h.state().ecrans.flux.as_ref().unwrap().params.rotation_pct, Some(9.0), "still typed");
    }
    // With the saved parameters: the annex's dialog opens, 8,5 % stays the saved rate, 9 %
    // stays typed.
    h.get_by_label("Annexe d'un réservataire…").click();
    h.run_steps(3);
    h.get_by_label("Exporter avec les paramètres enregistrés").click();
    h.run_steps(3);
    assert!(h.state().ecrans.annexe.is_some(), "the annex's dialog");
    assert_eq!(rotation_enregistree(&dossier, &b, &e, a), Some(8.5));
    assert!(h.state().ecrans.flux.as_ref().unwrap().modifie());
    h.get_by_label("Annuler").click();
    h.run_steps(2);
    assert!(h.state().ecrans.annexe.is_none());
    // Saved first, then the forecast's file dialog.
    h.get_by_label("Prévision des soustraits…").click();
    h.run_steps(3);
    h.get_by_label("Les enregistrer, puis exporter").click();
    h.run_steps(4);
    assert_eq!(rotation_enregistree(&dossier, &b, &e, a), Some(9.0));
    assert!(!h.state().ecrans.flux.as_ref().unwrap().modifie());
    assert!(h.state().fichiers.picker.is_some(), "the forecast's file dialog follows the saving");
}

fn fermer(h: &mut Harness<'static, App>) {
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.step();
    h.step();
}

fn commandes(h: &Harness<'static, App>) -> Vec<egui::ViewportCommand> {
    h.output().viewport_output.get(&egui::ViewportId::ROOT).map(|v| v.commands.clone()).unwrap_or_default()
}

/// A2: closing the window with unsaved parameters asks « enregistrer / ne pas enregistrer /
/// annuler »; opening another dossier too.
#[test]
fn fermer_avec_des_parametres_non_enregistres() {
    let t = Temp::new("a2");
    let (mut h, dossier, b, e, a) = flux_demo(&t);
    let avant = rotation_enregistree(&dossier, &b, &e, a);
    type_into(&mut h, "Taux de rotation", "7,5");
    // Annuler: the window stays, nothing saved.
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.step();
    assert!(commandes(&h).contains(&egui::ViewportCommand::CancelClose), "{:?}", commandes(&h));
    h.step();
    h.get_by_label(&format!("• Taux de rotation : 7,5\u{a0}% (enregistré : {})", pct(avant)));
    h.get_by_label("Annuler").click();
    h.run_steps(2);
    assert!(!h.state().fenetre.fermee);
    assert_eq!(rotation_enregistree(&dossier, &b, &e, a), avant);
    // Another dossier asked: the same question; « Annuler » keeps this one open.
    let autre = t.0.join("autre.sqlite");
    contingents::demo::construire_dossier(&autre).unwrap();
    h.state_mut().open(autre.clone());
    h.run_steps(2);
    h.get_by_label("Continuer sans enregistrer");
    h.get_by_label("Annuler").click();
    h.run_steps(2);
    assert_eq!(h.state().view.as_ref().unwrap().path, dossier);
    // « Enregistrer et fermer »: saved, then closed.
    fermer(&mut h);
    h.get_by_label("Fermer sans enregistrer");
    h.get_by_label("Enregistrer et fermer").click();
    h.run_steps(3);
    assert!(h.state().fenetre.fermee, "closed once saved");
    assert_eq!(rotation_enregistree(&dossier, &b, &e, a), Some(7.5));
}

/// A2: « Fermer sans enregistrer » closes and leaves the dossier as it was.
#[test]
fn fermer_sans_enregistrer() {
    let t = Temp::new("a2b");
    let (mut h, dossier, b, e, a) = flux_demo(&t);
    let avant = rotation_enregistree(&dossier, &b, &e, a);
    type_into(&mut h, "Taux de rotation", "7,5");
    fermer(&mut h);
    h.get_by_label("Fermer sans enregistrer").click();
    h.run_steps(3);
    assert!(h.state().fenetre.fermee);
    assert_eq!(rotation_enregistree(&dossier, &b, &e, a), avant);
}

fn pct(x: Option<f64>) -> String {
    x.map(|x| format!("{}\u{a0}%", contingents::format::nombre_fr(x, 1))).unwrap_or_else(|| "— (non saisi)".into())
}

/// A dossier of the CASA at 01/01/2024 imported through the core from `azur_edl.xlsx`: E1
/// read twice with two réservataires (a conflict, the last kept), E2 twice identical (a
/// doublon), E3's convention ended on 31/12/2023 (an extinct right), E4 and E5 with « #N/A »
/// for commune, E6 in « Valbone ».
fn dossier_anomalies(t: &Temp) -> PathBuf {
    let dossier = t.0.join("anomalies.contingents");
    {
        let d = Dossier::open(&dossier, true).unwrap();
        d.set_parametre("territoire", "240600585").unwrap();
        d.set_parametre("date_reference", "2024-01-01").unwrap();
    }
    let f = t.0.join("azur_edl.xlsx");
    classeur(
        &f,
        &[
            &["Référence", "Commune", "Réservataire", "Typologie", "Financement", "Date de fin de convention"],
            &["E1", "Antibes", "Préfecture", "T3", "PLUS", ""],
            &["E2", "Antibes", "Action Logement", "T2", "PLUS", ""],
            &["E3", "Biot", "Préfecture", "T4", "PLAI", "31/12/2023"],
            &["E1", "Antibes", "Action Logement", "T3", "PLUS", ""],
            &["E2", "Antibes", "Action Logement", "T2", "PLUS", ""],
            &["E4", "#N/A", "Préfecture", "T2", "PLUS", ""],
            &["E5", "#N/A", "Préfecture", "T3", "PLUS", ""],
            &["E6", "Valbone", "Préfecture", "T3", "PLUS", ""],
            &["E7", "Antibes", "Préfecture", "T1", "PLUS", ""],
        ],
    );
    let mut d = Dossier::open(&dossier, false).unwrap();
    let opts = contingents::import::run::ImportOptions { bailleur: Some("Azur".into()), ..Default::default() };
    contingents::import::run::import_files(
        &mut d,
        &[f],
        &opts,
        &contingents::import::run::Silent,
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    dossier
}

/// A6: the conflicts and the extinct rights listed from the consolidation's line, the
/// history with its doublons and conflicts.
#[test]
fn conflits_et_droits_echus_listes() {
    let t = Temp::new("a6");
    let dossier = dossier_anomalies(&t);
    let (conflits, echus) = {
        let d = Dossier::open_read_only(&dossier).unwrap();
        let (_, c, e) = contingents::consolidate::anomalies(&d).unwrap();
        (c, e)
    };
    assert_eq!((conflits.len(), echus.len()), (1, 1));
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("1 conflit").click();
    h.run_steps(2);
    h.get_by_label("réservataires différents");
    h.get_by_label("État (contingent préfectoral) ; Action Logement");
    h.get_by_label("1 droit échu").click();
    h.run_steps(2);
    h.get_by_label("E3");
    h.get_by_label("31/12/2023");
    assert!(h.query_by_label("2023-12-31").is_none());
    // Folded by a second click.
    h.get_by_label("1 droit échu").click();
    h.run_steps(2);
    assert!(h.query_by_label("31/12/2023").is_none());
    // The history: lines read = kept + set aside + doublons.
    h.get_by_label("Historique").click();
    h.run_steps(2);
    let e = &h.state().view.as_ref().unwrap().historique[0];
    assert_eq!((e.lignes, e.doublons, e.conflits), (9, 1, 1));
    assert_eq!(e.lignes, e.logements + e.rejets + e.doublons + e.conflits, "{e:?}");
    h.get_by_label("Doublons");
    h.get_by_label("Conflits");
}

/// A3: the save dialog asks before replacing a file, lists and accepts only the document's
/// own extensions, and never writes over a dossier or a file the dossier imported.
#[test]
fn enregistrer_sans_ecraser() {
    let t = Temp::new("a3");
    let dossier = dossier_anomalies(&t);
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let ouvrir = |h: &mut Harness<'static, App>| {
        h.state_mut().handle(&egui::Context::default(), crate::ui::state::Action::ExportEtatDesLieux);
        h.run_steps(2);
        assert!(h.state().fichiers.picker.is_some());
    };
    ouvrir(&mut h);
    // Only the document's own extension listed.
    h.get_by_label("Classeur xlsx : .xlsx");
    let enregistrer = |h: &mut Harness<'static, App>, p: &std::path::Path| {
        type_into(h, "Nom du fichier", &p.display().to_string());
        h.get_by_label("Enregistrer").click();
        h.run_steps(3);
    };
    // Another extension: refused.
    enregistrer(&mut h, &t.0.join("etat.pdf"));
    h.get_by_label("« .pdf » : ce document s'enregistre en .xlsx. Changez l'extension du nom.");
    assert!(!t.0.join("etat.pdf").exists());
    // A dossier under an xlsx name: refused, untouched.
    let copie = t.0.join("copie.xlsx");
    std::fs::copy(&dossier, &copie).unwrap();
    let avant = std::fs::read(&copie).unwrap();
    enregistrer(&mut h, &copie);
    h.get_by_label(&format!(
        "{} est un dossier Contingents : aucun document ne s'écrit à sa place. Choisissez un autre nom.",
        copie.display()
    ));
    // The file the dossier imported: refused.
    let source = t.0.join("azur_edl.xlsx");
    let avant_source = std::fs::read(&source).unwrap();
    enregistrer(&mut h, &source);
    h.get_by_label(&format!(
        "{} a été importé dans le dossier : aucun document ne s'écrit à sa place. Choisissez un autre nom.",
        source.display()
    ));
    // An existing file: asked; « Ne pas remplacer » keeps it.
    let ancien = t.0.join("ancien.xlsx");
    std::fs::write(&ancien, b"ancien").unwrap();
    enregistrer(&mut h, &ancien);
    h.get_by_label("« ancien.xlsx » existe déjà. Le remplacer ?");
    h.get_by_label("Ne pas remplacer").click();
    h.run_steps(4);
    assert!(h.query_by_label("« ancien.xlsx » existe déjà. Le remplacer ?").is_none());
    assert!(h.state().fichiers.picker.is_some());
    assert_eq!(std::fs::read(&ancien).unwrap(), b"ancien");
    // « Remplacer le fichier »: written.
    h.get_by_label("Enregistrer").click();
    h.run_steps(2);
    let p = h.state().fichiers.picker.as_ref().unwrap();
    assert!(p.remplacer.is_some(), "{:?} {:?}", p.message, p.saisie);
    h.get_by_label("Remplacer le fichier").click();
    h.run_steps(4);
    assert!(std::fs::read(&ancien).unwrap().starts_with(b"PK"), "{:?}", h.state().messages.error);
    assert_eq!(std::fs::read(&copie).unwrap(), avant);
    assert_eq!(std::fs::read(&source).unwrap(), avant_source);
    // Whatever dialog chose the path (the system's too): never over a dossier.
    h.state_mut().handle(
        &egui::Context::default(),
        crate::ui::state::Action::Choisi(crate::ui::picker::Suite::EtatDesLieux, vec![copie.clone()]),
    );
    h.run_steps(2);
    assert_eq!(std::fs::read(&copie).unwrap(), avant);
    assert!(h.state().messages.error.as_ref().unwrap().to_string().contains("est un dossier Contingents"));
}

/// A4: under the bilans' table, the taux de chute explained with each réservataire's figures.
#[test]
fn taux_de_chute_explique() {
    let t = Temp::new("a4");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Bilans").click();
    h.run_steps(4);
    h.get_by_label(
        "Taux de chute = chutes ÷ mises à disposition conclues (mises à disposition − en cours). \
         En cours et chutes suivent les mises à disposition de la période (leur cohorte) ; \
         les baux signés sont comptés à leur propre date, même pour une mise à disposition antérieure.",
    );
    h.get_by_label("Taux de chute : le calcul de chaque réservataire").click();
    h.run_steps(2);
    let b = h.state().ecrans.bilan.as_ref().unwrap().bilan.as_ref().unwrap().clone();
    let r = b.reservataires.iter().find(|r| r.mises_a_disposition > r.en_cours && r.chutes > 0).expect("a chute");
    let conclues = r.mises_a_disposition - r.en_cours;
    // The rule of domaine.md, by hand: chutes over the mises à disposition concluded.
    assert!((r.taux_chute - r.chutes as f64 / conclues as f64).abs() < 1e-12);
    use contingents::format::{entier, pourcentage};
    h.get_by_label(&format!(
        "{} : {} ÷ ({} − {} en cours) = {} ÷ {} = {}",
        contingents::consolidate::libelle_reservataire(&r.id),
        entier(r.chutes),
        entier(r.mises_a_disposition),
        entier(r.en_cours),
        entier(r.chutes),
        entier(conclues),
        pourcentage(r.taux_chute)
    ));
}

/// B2: « #N/A » is never offered as a label to reconcile: its rows are « valeur manquante »,
/// and the list stays the same after an unrelated association.
#[test]
fn na_jamais_propose_et_liste_stable() {
    let t = Temp::new("b2");
    let dossier = dossier_anomalies(&t);
    let libelles = || {
        let d = Dossier::open_read_only(&dossier).unwrap();
        contingents::consolidate::libelles_inconnus(&d).unwrap()
    };
    let avant = libelles();
    assert!(avant.iter().all(|l| !contingents::text::is_error_marker(&l.libelle)), "{avant:?}");
    assert!(avant.iter().any(|l| l.libelle == "Valbone"));
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Libellés à rapprocher").click();
    h.run_steps(2);
    assert!(h.query_by_label("#N/A").is_none());
    h.get_by_label(
        "Valeur manquante : 2 lignes (cellule vide ou erreur du tableur, à corriger dans le fichier du bailleur)",
    );
    // Valbone → Valbonne, chosen then shown in its row before it is confirmed.
    h.state_mut().handle(
        &egui::Context::default(),
        crate::ui::state::Action::ProposeLabel {
            champ: contingents::model::ChampLibelle::Commune,
            libelle: "Valbone".into(),
            valeur: "06152".into(),
        },
    );
    h.run_steps(2);
    let shown = contingents::consolidate::libelle_valeur(contingents::model::ChampLibelle::Commune, "06152");
    // The row's list now shows the value chosen (its accessible value), not « Associer à… ».
    assert!(
        h.get_all_by_role(egui::accesskit::Role::ComboBox).any(|n| format!("{n:?}").contains(&shown)),
        "the value chosen shows before confirming"
    );
    h.get_by_label("Confirmer l'association").click();
    h.run_steps(4);
    let apres = libelles();
    assert!(apres.iter().all(|l| l.libelle != "Valbone"));
    assert_eq!(apres.len(), avant.len() - 1, "{avant:?} → {apres:?}");
    h.get_by_label(
        "Valeur manquante : 2 lignes (cellule vide ou erreur du tableur, à corriger dans le fichier du bailleur)",
    );
    assert!(h.query_by_label("#N/A").is_none());
}

/// C20: « Tous les réservataires » and the bilans' period come back with the dossier.
#[test]
fn reglages_retrouves() {
    let t = Temp::new("c20");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut app = App::for_tests(dossier.clone());
    app.handle(&egui::Context::default(), crate::ui::state::Action::SetReservataire(None));
    app.handle(
        &egui::Context::default(),
        crate::ui::state::Action::BilanSelect {
            annee: contingents::demo::DEMO_ANNEE,
            semestre: Some(2),
            bailleur: None,
            reservataire: None,
        },
    );
    let state = app.state.clone();
    drop(app);
    let mut app = App::new(state);
    app.fenetre.persist = false;
    app.travaux.synchrone = true;
    app.open(dossier.clone());
    assert_eq!(app.state.reservataire, None, "« Tous » kept");
    app.handle(&egui::Context::default(), crate::ui::state::Action::BilanInitial);
    let b = app.ecrans.bilan.as_ref().unwrap();
    assert_eq!((b.annee, b.semestre), (contingents::demo::DEMO_ANNEE, Some(2)));
}

/// B5: a fiche navette for a dwelling outside the assiette (PLI) asks first.
#[test]
fn fiche_navette_hors_assiette() {
    let t = Temp::new("b5");
    let dossier = dossier_anomalies(&t);
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let demande = crate::ui::state::Action::FicheNavette {
        bailleur: "Azur".into(),
        reference: "E9".into(),
        reservataire: Some("etat".into()),
        exclusion: Some("PLI"),
    };
    h.state_mut().handle(&egui::Context::default(), demande);
    h.run_steps(2);
    h.get_by_label("Logement E9 exclu de l'assiette (PLI)");
    assert!(h.state().fichiers.picker.is_none());
    h.get_by_label("Annuler").click();
    h.run_steps(2);
    assert!(h.state().fichiers.picker.is_none() && h.state().ecrans.navette_exclue.is_none());
    let demande = crate::ui::state::Action::FicheNavette {
        bailleur: "Azur".into(),
        reference: "E9".into(),
        reservataire: Some("etat".into()),
        exclusion: Some("PLI"),
    };
    h.state_mut().handle(&egui::Context::default(), demande);
    h.run_steps(2);
    h.get_by_label("Produire la fiche quand même").click();
    h.run_steps(2);
    assert!(h.state().fichiers.picker.is_some());
    // The exclusion is the flux engine's: a PLI dwelling listed in a cell is said excluded.
    let l = contingents::consolidate::LogementSource {
        bailleur: "Azur".into(),
        reference: "E9".into(),
        commune: "06004".into(),
        reservataire: "etat".into(),
        typologie: "T3".into(),
        financement: "PLI".into(),
        fichier: String::new(),
        feuille: None,
        ligne: 1,
    };
    assert_eq!(crate::ui::screens::exclusion_du_logement(&l), Some("PLI"));
}

/// Issue 23: a mise à disposition typed in the window carries its household like a register
/// row (public prioritaire / DALO, quartile), stored the same way and counted in the bilan.
#[test]
fn le_menage_d_un_bail_saisi_compte_dans_la_cia() {
    use crate::ui::state::Action;
    use contingents::demo::DEMO_ANNEE;
    let t = Temp::new("menage");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let d = Dossier::open_read_only(&dossier).unwrap();
    // A dwelling outside QPV that no register mentions.
    let deja: std::collections::HashSet<String> =
        d.mises_a_disposition(None, None).unwrap().into_iter().map(|m| m.reference).collect();
    let reference = d
        .logements_actifs_du_bailleur("Var Logis")
        .unwrap()
        .into_iter()
        .find(|l| !l.qpv && !deja.contains(&l.reference))
        .expect("a dwelling outside QPV")
        .reference;
    drop(d);
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Bilans").click();
    h.run_steps(4);
    let bilan = |h: &Harness<'static, App>| h.state().ecrans.bilan.as_ref().unwrap().bilan.as_ref().unwrap().clone();
    let etat = |b: &contingents::suivi::bilan::Bilan| b.reservataires.iter().find(|r| r.id == "etat").unwrap().clone();
    let avant = bilan(&h);
    let ctx = h.ctx.clone();
    let date = |j: &str| format!("{j}/{DEMO_ANNEE}");
    h.state_mut().handle(
        &ctx,
        Action::DeclarerMiseADisposition {
            valeurs: crate::ui::state::ValeursDeclaration {
                bailleur: "Var Logis".into(),
                reference: reference.clone(),
                destinataire: Some(crate::ui::state::Destinataire::Reservataire(
                    contingents::model::Reservataire::ETAT,
                )),
                liberation: date("01/03"),
                preavis: 1,
                mise_a_disposition: date("01/03"),
                public: None,
                quartile: None,
            },
            correction: None,
        },
    );
    h.run_steps(3);
    let id = h.state().ecrans.bilan.as_ref().unwrap().saisies.first().expect("declared").id;
    for (e, j) in
        [(contingents::suivi::Evenement::Attribution, "20/03"), (contingents::suivi::Evenement::BailSigne, "02/04")]
    {
        h.state_mut().handle(&ctx, Action::NoterEvenement { id, evenement: e, date: date(j) });
        h.run_steps(3);
    }
    // The lease without its household: one more lease, « non renseigné », counted apart.
    let bail = bilan(&h);
    assert_eq!(etat(&bail).baux_signes, etat(&avant).baux_signes + 1);
    assert_eq!(etat(&bail).non_renseignes, etat(&avant).non_renseignes + 1);
    assert_eq!(bail.cia.hors_qpv.non_renseignes, avant.cia.hors_qpv.non_renseignes + 1);
    // The household chosen in the list, by its labels.
    h.get_by_label("Mises à disposition saisies ici (1)").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Ménage").click();
    h.run_steps(3);
    h.get_all_by_label("Public prioritaire DALO").last().unwrap().click();
    h.run_steps(4);
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Quartile de ressources").click();
    h.run_steps(3);
    h.get_all_by_label("1er quartile").last().unwrap().click();
    h.run_steps(4);
    assert!(h.state().messages.error.is_none(), "{:?}", h.state().messages.error);
    // Stored as a register row stores it, and counted: a DALO household of the first quartile
    // outside QPV.
    let d = Dossier::open_read_only(&dossier).unwrap();
    let m = d.mise_a_disposition_saisie(id).unwrap().unwrap();
    assert_eq!(m.menage.public, contingents::model::Lu::Valeur(contingents::model::Public::Dalo));
    assert_eq!(m.menage.quartile, contingents::model::Lu::Valeur(contingents::model::Quartile::Q1));
    let apres = bilan(&h);
    let (e0, e1) = (etat(&avant), etat(&apres));
    assert_eq!(
        (e1.attributions_prioritaires, e1.dont_dalo, e1.non_renseignes, e1.baux_signes),
        (e0.attributions_prioritaires + 1, e0.dont_dalo + 1, e0.non_renseignes, e0.baux_signes + 1)
    );
    assert_eq!(
        (apres.cia.hors_qpv.baux, apres.cia.hors_qpv.premier_quartile, apres.cia.hors_qpv.non_renseignes),
        (avant.cia.hors_qpv.baux + 1, avant.cia.hors_qpv.premier_quartile + 1, avant.cia.hors_qpv.non_renseignes)
    );
}

/// An annex whose flux was never saved for the year (nor a year before) is refused in its
/// dialog, which says which bailleur, EPCI and year and how to save the flux: no file name is
/// asked, no file written.
#[test]
fn l_annexe_d_un_flux_jamais_enregistre_est_refusee_dans_son_dialogue() {
    let t = Temp::new("annexe-refusee");
    let (mut h, _dossier, b, e, _a) = flux_demo(&t);
    h.get_by_label("Annexe d'un réservataire…").click();
    h.run_steps(3);
    // 2023: the demo's flux is saved for its year only, nothing before.
    h.state_mut().ecrans.annexe.as_mut().expect("the annex's dialog").annee = "2023".into();
    h.run_steps(2);
    h.get_by_label("Exporter en PDF…").click();
    h.run_steps(5);
    assert!(h.state().fichiers.picker.is_none(), "no file name asked");
    let refus = h.state().ecrans.annexe.as_ref().expect("the dialog stays").refus.clone().expect("refused").1;
    let nom = contingents::consolidate::nom_epci(&e);
    assert!(
        refus.starts_with(&format!(
            "Aucun flux 2023 enregistré pour « {b} » sur l'EPCI {nom} : l'annexe compterait 0 logement"
        )),
        "{refus}"
    );
    assert!(refus.contains("écran Flux annuel") && refus.contains("--enregistrer"), "{refus}");
    h.get_by_label(&format!("Annexe refusée : {refus}"));
    // Another year: the refusal goes.
    h.state_mut().ecrans.annexe.as_mut().unwrap().annee = contingents::demo::DEMO_ANNEE.to_string();
    h.run_steps(2);
    assert!(h.query_by_label(&format!("Annexe refusée : {refus}")).is_none());
}
