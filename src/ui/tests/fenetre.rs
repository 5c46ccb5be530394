//! The window itself: workshop mode, a second window read-only, contrast, jobs on their
//! threads (a panic reported, one after the other), the opening's steps and its cancellation.

use super::*;

#[test]
fn workshop_mode_hides_editing_and_keeps_filters() {
    let t = Temp::new("atelier");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    h.state_mut().state.filters.qpv = Some(true);
    h.get_by_label("Mode atelier (F11)").click();
    h.run_steps(4);
    assert!(h.state().state.workshop);
    h.get_by_label("Quitter l'atelier (F11)");
    assert!(h.query_by_label("Importer des fichiers… (Ctrl+I)").is_none());
    assert!(h.query_by_label("Historique").is_none());
    // Said where the import and the exports were, not hidden without a word.
    // In two words in the menu, the sentence under the pointer.
    h.get_by_label("Lecture seule").hover();
    h.run_steps(40);
    h.get_by_label("Lecture seule : import et exports désactivés (F11 pour les retrouver)");
    assert_eq!(
        crate::ui::screens::MODE_ATELIER,
        "Lecture seule : import et exports désactivés (F11 pour les retrouver)"
    );
    assert_eq!(h.state().state.filters.qpv, Some(true));
    assert!((h.ctx.zoom_factor() - 1.6).abs() < 1e-6);
    // The filter panel folds away for the chart (its filters stay in force and in the titles).
    h.get_by_label("Masquer les filtres (F9)").click();
    h.run_steps(2);
    assert!(h.query_by_label("Effacer les filtres").is_none());
    assert_eq!(h.state().state.filters.qpv, Some(true));
    h.get_by_label("Afficher les filtres (F9)").click();
    h.run_steps(2);
    h.get_by_label("Effacer les filtres");
    // And from the keyboard.
    h.key_press(egui::Key::F9);
    h.run_steps(2);
    assert!(h.state().state.filtres_masques);
    h.key_press(egui::Key::F9);
    h.run_steps(2);
    assert!(!h.state().state.filtres_masques);
    // The bilans are shown, not typed into, in front of a room.
    h.get_by_label("Bilans").click();
    h.run_steps(4);
    h.get_by_label("Bilans du flux");
    assert!(h.query_by_label("Déclarer une mise à disposition").is_none());
    assert!(h.query_by_label("Exporter le bilan (xlsx)…").is_none());
    h.get_by_label("Lecture seule");
    h.get_by_label("Orienter un logement libéré");
    // Back to the everyday mode: the exports are there again, the message gone.
    h.get_by_label("Quitter l'atelier (F11)").click();
    h.run_steps(4);
    h.get_by_label("Exporter le bilan (xlsx)…");
    assert!(h.query_by_label("Lecture seule").is_none());
}

#[test]
fn a_second_window_opens_the_dossier_read_only() {
    let t = Temp::new("verrou");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    // The first window holds the dossier by an OS file lock (no PID lookup in /proc).
    let mut first = harness(App::for_tests(dossier.clone()));
    first.run_steps(2);
    assert!(!first.state().session.read_only);
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    assert!(h.state().session.read_only);
    assert!(h.query_by_label("Importer des fichiers… (Ctrl+I)").is_none());
    assert!(h.state().messages.status.contains("lecture seule"), "{}", h.state().messages.status);
    assert!(h.state().messages.status.contains(&std::process::id().to_string()), "says which process holds it");
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::Restore(1));
    assert!(h.state().messages.error.as_ref().map(|e| e.to_string()).unwrap_or_default().contains("lecture seule"));
    // Once the first window is closed, the dossier can be written again.
    drop(first);
    let mut again = harness(App::for_tests(dossier.clone()));
    again.run_steps(2);
    assert!(!again.state().session.read_only);
}

#[test]
fn atelier_contraste() {
    use crate::ui::theme::{contraste, couples_atelier};
    // The WCAG formula on known pairs.
    assert!((contraste(egui::Color32::BLACK, egui::Color32::WHITE) - 21.0).abs() < 1e-9);
    assert!(contraste(egui::Color32::from_rgb(0, 155, 255), egui::Color32::WHITE) < 3.0, "the old link blue");
    let mut faibles = Vec::new();
    for (name, fg, bg) in couples_atelier() {
        let c = contraste(fg, bg);
        if c < 4.5 {
            faibles.push(format!("{name} : {c:.2}:1 ({fg:?} sur {bg:?})"));
        }
    }
    assert!(faibles.is_empty(), "texte sous 4,5:1 en mode atelier : {faibles:?}");
    // Links of the everyday theme too.
    let n = crate::ui::theme::normal();
    assert!(contraste(n.hyperlink_color, n.panel_fill) >= 4.5);
    // Graphical elements (the bars' outlines): at least 3:1.
    for (name, fg, bg) in crate::ui::theme::graphiques_atelier() {
        let c = contraste(fg, bg);
        assert!(c >= 3.0, "{name} : {c:.2}:1 ({fg:?} sur {bg:?})");
    }
    // And the window really uses that theme in workshop mode.
    let t = Temp::new("atelier");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    h.get_by_label("Mode atelier (F11)").click();
    h.run_steps(3);
    assert_eq!(h.ctx.global_style().visuals, crate::ui::theme::atelier());
}

/// The time of one frame of the window on the demonstration, screen by screen (layout and
/// tessellation, without a GPU). A measurement, not a test: run with
/// `cargo test --release --bin contingents temps_d_une_image -- --ignored --nocapture`.
#[test]
#[ignore]
fn temps_d_une_image() {
    let t = Temp::new("images");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(3);
    for screen in ECRANS {
        h.get_by_label(screen).click();
        h.run_steps(4);
        let mut times: Vec<f64> = (0..60)
            .map(|_| {
                let t0 = std::time::Instant::now();
                h.step();
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{screen:<24} médiane {:.2} ms, pire {:.2} ms", times[30], times[59]);
    }
}

#[test]
fn a_job_that_panics_is_reported_and_the_window_goes_on() {
    use crate::ui::tasks::{Job, JobOutput};
    let ctx = egui::Context::default();
    for synchronous in [true, false] {
        let job = Job::spawn("essai", &ctx, synchronous, |_, _| panic!("boum"));
        let out = (0..500).find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            job.poll()
        });
        match out {
            Some(JobOutput::Interrompu(e)) => {
                let m = e.to_string();
                assert!(m.contains("boum") && m.contains("interrompu"), "{m}");
            }
            _ => panic!("the job's end was not reported"),
        }
    }
}

/// Jobs on their threads (as in the application): the window keeps drawing while they run,
/// and an action asking for a job while another runs waits for it, then runs.
#[test]
fn background_jobs_run_one_after_the_other_while_the_window_draws() {
    let t = Temp::new("travaux");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    h.state_mut().travaux.synchrone = false;
    let (b, e, a) = {
        let v = h.state().view.as_ref().unwrap();
        (v.cube.bailleurs()[0].clone(), v.cube.epcis()[0].clone(), v.date_reference.year)
    };
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::FluxSelect { bailleur: b.clone(), epci: e, annee: a });
    h.state_mut().handle(&ctx, Action::BilanSelect { annee: 2025, semestre: None, bailleur: None, reservataire: None });
    assert!(h.state().travaux.job.is_some(), "the flux runs on its thread");
    let mut frames = 0;
    while (h.state().ecrans.flux.is_none() || h.state().ecrans.bilan.is_none()) && frames < 500 {
        h.step();
        frames += 1;
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(h.state().ecrans.flux.as_ref().map(|f| f.bailleur.clone()), Some(b));
    assert_eq!(h.state().ecrans.bilan.as_ref().map(|v| v.annee), Some(2025));
    assert!(h.state().travaux.job.is_none());
}

/// Records the steps of a job, and asks to stop once a step starting with `arret` is said.
struct Etapes {
    dites: std::sync::Mutex<Vec<(f32, String)>>,
    arret: Option<&'static str>,
}

impl contingents::import::run::Progress for Etapes {
    fn update(&self, fraction: f32, message: &str) {
        self.dites.lock().unwrap().push((fraction, message.to_string()));
    }
    fn annule(&self) -> bool {
        self.arret.is_some_and(|a| self.dites.lock().unwrap().iter().any(|(_, m)| m.starts_with(a)))
    }
}

/// Opening a dossier says each step, in order, with its percentage: the cube read from the
/// cells kept in the dossier; computed from the dwellings (« Calcul du cube… ») only when they
/// no longer match it; and the opening stops when asked, leaving the dossier as it was.
#[test]
fn l_ouverture_dit_ses_etapes_et_s_annule() {
    use crate::ui::state::DossierView;
    let t = Temp::new("ouverture");
    let dossier = t.0.join("d.sqlite");
    let file = t.0.join("azur.xlsx");
    write_file(&file);
    {
        let mut d = Dossier::open(&dossier, true).unwrap();
        let opts = contingents::import::run::ImportOptions {
            bailleur: Some("Azur".into()),
            territoire: Some("240600585".into()),
            date_reference: Some("2025-01-01".into()),
            accepter_perte: false,
        };
        let silent = contingents::import::run::Silent;
        let cancel = std::sync::atomic::AtomicBool::new(false);
        contingents::import::run::import_files(&mut d, &[file], &opts, &silent, &cancel).unwrap();
    }
    let ouvrir = |arret: Option<&'static str>| {
        let p = Etapes { dites: Default::default(), arret };
        let v = DossierView::load(&dossier, &p);
        let dites = p.dites.into_inner().unwrap();
        assert!(dites.windows(2).all(|w| w[0].0 <= w[1].0), "the percentage only goes up: {dites:?}");
        (v, dites.into_iter().map(|(_, m)| m).collect::<Vec<_>>())
    };
    let (v, etapes) = ouvrir(None);
    assert_eq!(v.unwrap().cube.total(&Filtre::default()), 2);
    assert_eq!(
        etapes[1..],
        [
            "Lecture du cube gardé dans le dossier",
            "Lignes mises de côté, conflits, historique, libellés à rapprocher",
            "Listes des filtres"
        ]
    );
    // Cells that no longer match the dossier: computed from the dwellings, said as such.
    Dossier::open(&dossier, false).unwrap().set_parametre("cube_empreinte", "autre").unwrap();
    let (v, etapes) = ouvrir(None);
    assert_eq!(v.unwrap().cube.total(&Filtre::default()), 2);
    assert_eq!(etapes[1], "Calcul du cube depuis les logements : 0\u{a0}%");
    let avant = std::fs::read(&dossier).unwrap();
    let (v, _) = ouvrir(Some("Calcul du cube"));
    assert!(matches!(v, Err(crate::ui::erreur::Erreur::OuvertureAnnulee)));
    assert_eq!(std::fs::read(&dossier).unwrap(), avant, "cancelled, the dossier is left byte for byte");
}

/// Échap answers the dialog on top « Annuler », as a desktop user expects: the annex's dialog
/// (a list open in it is closed first, the dialog stays), the file dialog, the new dossier's
/// wizard; nothing is written. Entrée validates: the name of the file to save, the territory
/// searched when one is found.
#[test]
fn echap_et_entree_dans_les_dialogues() {
    let t = Temp::new("echap");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    h.get_by_label("Flux annuel").click();
    h.run_steps(4);
    h.get_by_label("Annexe d'un réservataire…").click();
    h.run_steps(3);
    assert!(h.state().ecrans.annexe.is_some(), "the annex's dialog");
    // As tall as its choices, centred: no empty frame under its buttons.
    let titre = h.get_by_label("Annexe de convention").rect();
    let bas = h
        .get_all_by_label("Annuler")
        .chain(h.query_all_by_label_contains("Choisissez le réservataire"))
        .map(|n| n.rect().bottom())
        .fold(0.0_f32, f32::max);
    let centre = h.ctx.content_rect().center().y;
    assert!(
        ((centre - titre.top()) - (bas - centre)).abs() < 40.0,
        "the dialog's frame around its content: title {titre:?}, last line at {bas}, centre {centre}"
    );
    // A list of the dialog opened, then Échap: the list closes, the dialog stays.
    // The dialog's list (the flux screen behind has one of the same name, higher up).
    h.query_all(egui_kittest::kittest::By::new().role(egui::accesskit::Role::ComboBox).label("Bailleur"))
        .max_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap()
        .click();
    h.run_steps(3);
    assert!(egui::Popup::is_any_open(&h.ctx));
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(!egui::Popup::is_any_open(&h.ctx));
    assert!(h.state().ecrans.annexe.is_some(), "only the list closed");
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(h.state().ecrans.annexe.is_none(), "the dialog closed by Échap");
    // The file dialog (Ctrl+I), then the new dossier's: closed, nothing created.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::I);
    h.run_steps(3);
    assert!(h.state().fichiers.picker.is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(h.state().fichiers.picker.is_none());
    h.get_by_label("Créer votre dossier…").click();
    h.run_steps(3);
    type_into(&mut h, "Nom du fichier", &format!("{}/Échap", t.0.display()));
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert!(h.state().fichiers.picker.is_none(), "Entrée: saved under this name");
    assert!(h.state().ecrans.creation.is_some(), "the wizard");
    type_into(&mut h, "Rechercher le territoire", "240600585");
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert_eq!(
        h.state().ecrans.creation.as_ref().unwrap().territoire,
        Some(contingents::reference::Territoire::Epci("240600585".into())),
        "Entrée: the only territory found is chosen"
    );
    h.get_by_label("Territoire : CA de Sophia Antipolis (EPCI 240600585), 24 communes");
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(h.state().ecrans.creation.is_none(), "closed by Échap");
    assert!(!t.0.join("Échap.contingents").exists(), "nothing created");
}

/// The workshop shows only its screens: entered from the labels to settle (fields and
/// « Ignorer »), it shows the consolidation, nothing to edit.
#[test]
fn atelier_depuis_un_ecran_d_edition() {
    let t = Temp::new("atelier-libelles");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    h.get_by_label("Libellés à rapprocher").click();
    h.run_steps(3);
    assert_eq!(h.state().state.screen, crate::ui::state::Screen::Libelles);
    h.key_press(egui::Key::F11);
    h.run_steps(4);
    assert!(h.state().state.workshop);
    assert_eq!(h.state().state.screen, crate::ui::state::Screen::Consolidation);
    assert!(h.query_by_label("Ignorer").is_none() && h.query_by_label("Correspondance des financements").is_none());
}

/// A job before its first step: « Import en cours… » in the status bar, not « import — »
/// and nothing; then its step as it comes, with the Annuler button.
#[test]
fn la_barre_d_etat_au_depart_d_un_travail() {
    use crate::ui::screens::travail_en_cours;
    assert_eq!(travail_en_cours("import", ""), "Import en cours…");
    assert_eq!(travail_en_cours("état des lieux", " "), "État des lieux en cours…");
    assert_eq!(travail_en_cours("import", "écriture des logements"), "import — écriture des logements");
    assert_eq!(travail_en_cours("lecture", "Lecture de a.xlsx"), "Lecture de a.xlsx");
    let ctx = egui::Context::default();
    let (go, attente) = std::sync::mpsc::channel::<()>();
    let (fait, fini) = std::sync::mpsc::channel::<()>();
    let job = crate::ui::tasks::Job::spawn("import", &ctx, false, move |p, _| {
        let _ = attente.recv();
        p.update(0.5, "écriture des logements");
        let _ = fait.send(());
        let _ = attente.recv();
        crate::ui::tasks::JobOutput::Interrompu(crate::ui::erreur::Erreur::Interne(String::new()))
    });
    let messages = crate::ui::state::Messages::default();
    let mut h = egui_kittest::Harness::new_ui(|ui| {
        crate::ui::screens::status_bar(&messages, Some(&job), 0, &[], false, ui);
    });
    h.run_steps(2);
    h.get_by_label("Import en cours…");
    h.get_by_label("Annuler");
    assert!(h.query_by_label_contains("import —").is_none());
    go.send(()).unwrap();
    fini.recv().unwrap();
    h.run_steps(2);
    h.get_by_label("import — écriture des logements");
    go.send(()).unwrap();
}

/// Ctrl+Z with nothing to put back says so (and what it would put back), not nothing.
#[test]
fn ctrl_z_sans_rien_a_annuler_le_dit() {
    let t = Temp::new("ctrlz");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    let avant = h.state().view.as_ref().unwrap().cube.total(&Filtre::default());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert_eq!(
        h.state().messages.status,
        "Rien à annuler : Ctrl+Z rétablit une mise à disposition supprimée (écran Bilans) ou un import retiré (Historique)"
    );
    assert_eq!(h.state().view.as_ref().unwrap().cube.total(&Filtre::default()), avant);
}
