//! The workshop mode at 1280 × 720 (800 × 450 points at its zoom): every button and column
//! reachable, nothing cut.

use super::super::Temp;
use crate::ui::app::App;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};

/// The projected window, 1 280 × 720 pixels at the workshop's 1,6 pixels per point, in points
/// (the harness lays out in points whatever the zoom).
const LARGEUR: f32 = 1280.0 / 1.6;
const HAUTEUR: f32 = 720.0 / 1.6;

/// The screen's area where nothing may hide: the window, above the status bar.
fn zone_visible(h: &Harness<'static, App>) -> egui::Rect {
    let barre = h.get_by_label("Témoin de la barre d'état").rect();
    egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(LARGEUR, barre.top() - 1.0))
}

/// Every button of the screen, and the column headers named, brought into view one by one
/// as a user would (by scrolling): each must then lie whole inside the window, above the
/// status bar. A column of a wide table is reached as a user does: down to the table (its
/// first column, which stays in place), then sideways — `(colonne, première colonne)`.
fn tout_atteignable(h: &mut Harness<'static, App>, ecran: &str, colonnes: &[(&str, Option<&str>)]) {
    let boutons = h.query_all(By::new().role(egui::accesskit::Role::Button)).count();
    assert!(boutons > 0, "{ecran}: no button?");
    let mut hors = Vec::new();
    for i in 0..boutons {
        let Some(n) = h.query_all(By::new().role(egui::accesskit::Role::Button)).nth(i) else { continue };
        let label = n.accesskit_node().label().unwrap_or_default();
        n.scroll_to_me();
        h.run_steps(3);
        let zone = zone_visible(h);
        let Some(n) = h.query_all(By::new().role(egui::accesskit::Role::Button)).nth(i) else { continue };
        let mut r = n.rect();
        if !zone.contains_rect(r) && r.top() < zone.bottom() {
            // In the part of a wide table that scrolls sideways: reached with the keyboard.
            n.focus();
            h.run_steps(4);
            r = h.query_all(By::new().role(egui::accesskit::Role::Button)).nth(i).map(|n| n.rect()).unwrap_or(r);
        }
        // The status bar's own buttons are below its first line.
        if !(zone.contains_rect(r) || r.top() >= zone.bottom()) || r.right() > LARGEUR + 0.5 || r.left() < -0.5 {
            hors.push(format!("bouton « {label} » {r:?}"));
        }
    }
    for (c, premiere) in colonnes {
        if let Some(p) = premiere {
            h.get_all_by_label(p).next().unwrap_or_else(|| panic!("{ecran}: « {p} »")).scroll_to_me();
            h.run_steps(3);
        }
        let Some(n) = h.query_all_by_label(c).next() else {
            hors.push(format!("colonne « {c} » absente"));
            continue;
        };
        n.scroll_to_me();
        h.run_steps(3);
        let r = h.get_all_by_label(c).next().unwrap().rect();
        if !zone_visible(h).contains_rect(r) {
            hors.push(format!("colonne « {c} » {r:?}"));
        }
    }
    assert!(hors.is_empty(), "{ecran} à 1280 × 720 en mode atelier, hors de la fenêtre : {hors:#?}");
}

#[test]
fn atelier_sans_coupure() {
    let t = Temp::new("atelier-1280");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut app = App::for_tests(dossier);
    app.state.workshop = true;
    let mut h = Harness::builder().with_size([LARGEUR, HAUTEUR]).build_ui_state(|ui, app: &mut App| app.show(ui), app);
    h.run_steps(4);
    assert!((h.ctx.zoom_factor() - 1.6).abs() < 1e-6, "the workshop's enlarged text");
    h.state_mut().messages.dire("Témoin de la barre d'état");
    h.run_steps(2);
    // The menu on one line, on every screen (with the button that folds the filters or not).
    for ecran in ["Consolidation", "Tableau de bord", "Flux annuel", "Bilans"] {
        h.get_by_label(ecran).click();
        h.run_steps(4);
        let lecture = h.get_by_label("Lecture seule").rect();
        let quitter = h.get_by_label("Quitter l'atelier (F11)").rect();
        assert!(
            (quitter.center().y - lecture.center().y).abs() < 2.0 && quitter.right() <= LARGEUR,
            "{ecran}: the menu on one line, {lecture:?} … {quitter:?}"
        );
    }
    // The consolidation, the dwellings of a cell listed (brought into view after the click).
    h.get_by_label("Consolidation").click();
    h.run_steps(3);
    let g = h.state().ecrans.memo.as_ref().unwrap().grille.clone();
    let n = g.get(contingents::model::Financement::Plus, contingents::model::TypologieGrille::T3);
    let plus_t3 = format!("PLUS T3 : {}", contingents::format::entier(n));
    h.get_by_label(&plus_t3).scroll_to_me();
    h.run_steps(3);
    h.get_by_label(&plus_t3).click();
    h.run_steps(5);
    let titre = h.get_by_label_contains("Logements : ").rect();
    assert!(zone_visible(&h).contains_rect(titre), "the dwellings listed are brought into view: {titre:?}");
    h.state_mut().messages.dire("Témoin de la barre d'état");
    h.run_steps(2);
    let drill = Some("Référence");
    tout_atteignable(
        &mut h,
        "Consolidation",
        &[("T6+", Some("PLAI")), ("TOTAL", Some("PLAI")), ("Part du parc", None), ("Ligne", drill), ("Fichier", drill)],
    );
    // The filter panel folded (F9): the same.
    h.key_press(egui::Key::F9);
    h.run_steps(3);
    tout_atteignable(
        &mut h,
        "Consolidation sans filtres",
        &[("T6+", Some("PLAI")), ("Part du parc", None), ("Ligne", drill)],
    );
    h.key_press(egui::Key::F9);
    h.run_steps(3);
    for (ecran, colonnes) in [
        ("Tableau de bord", vec![]),
        (
            "Flux annuel",
            vec![
                ("Logements", Some("Réservataire")),
                ("Périmètre", Some("Réservataire")),
                ("Flux", Some("Commune")),
                ("Assiette", Some("Commune")),
            ],
        ),
        (
            "Bilans",
            vec![
                ("Décomptés", Some("Réservataire")),
                ("Écart", Some("Réservataire")),
                ("Taux de chute", Some("Réservataire")),
                ("Baux signés", Some("Réservataire")),
            ],
        ),
    ] {
        h.get_by_label(ecran).click();
        h.run_steps(6);
        h.state_mut().messages.dire("Témoin de la barre d'état");
        h.run_steps(2);
        tout_atteignable(&mut h, ecran, &colonnes);
    }
    // The flux screen exists in workshop mode, read only.
    h.get_by_label("Flux annuel").click();
    h.run_steps(4);
    assert!(h.state().ecrans.flux.is_some());
    assert!(h.query_by_label("Enregistrer les paramètres").is_none());
    assert!(h.query_all(By::new().role(egui::accesskit::Role::TextInput).label("Taux de rotation")).next().is_none());
    assert!(h.query_all_by_label("Taux de rotation").count() >= 2, "the parameters shown, and the result");
}

/// The bilan projected at 1280 × 720 — simulated as the real window is: 1 280 × 720 pixels
/// at the workshop's 1,6 pixels per point, 800 × 450 points (the harness lays out in points
/// whatever the zoom) —: the réservataires by pages that fill the screen, each
/// page with the table's heading and its total in view (the total of all réservataires,
/// the core's), every réservataire on exactly one page; « Réservataires suivants » and the
/// keyboard (Page suivante / Page précédente, a presenter's remote) turn the pages.
#[test]
fn bilan_en_atelier_par_pages() {
    let t = Temp::new("atelier-bilan");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut app = App::for_tests(dossier);
    app.state.workshop = true;
    let mut h =
        Harness::builder().with_size([1280.0 / 1.6, 720.0 / 1.6]).build_ui_state(|ui, app: &mut App| app.show(ui), app);
    h.run_steps(4);
    assert!((h.ctx.zoom_factor() - 1.6).abs() < 1e-6, "the workshop's enlarged text");
    h.state_mut().messages.dire("Témoin de la barre d'état");
    h.get_by_label("Bilans").click();
    h.run_steps(6);
    let (noms, total) = {
        let b = h.state().ecrans.bilan.as_ref().unwrap().bilan.as_ref().expect("the demo's bilan");
        let noms: Vec<String> =
            b.reservataires.iter().map(|r| contingents::consolidate::libelle_reservataire(&r.id)).collect();
        (noms, contingents::format::entier(b.total().decomptes))
    };
    assert!(noms.len() > 8, "more réservataires than a projected screen holds: {noms:?}");
    let total = format!("Total — Décomptés : {total}");
    let mut vus: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        let barre = h.get_by_label("Témoin de la barre d'état").rect();
        let zone = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(800.0, barre.top() - 1.0));
        let r = h.get_by_label(&total).rect();
        assert!(zone.contains_rect(r), "page {pages}: the total in view, {r:?} in {zone:?}");
        let entete =
            h.get_all_by_label("Décomptés").map(|n| n.rect()).min_by(|a, b| a.top().total_cmp(&b.top())).unwrap();
        assert!(zone.contains_rect(entete), "page {pages}: the heading in view");
        let ici: Vec<String> = noms
            .iter()
            .filter(|n| {
                h.query_all_by_label(n)
                    .any(|x| zone.contains_rect(x.rect()) && entete.top() < x.rect().top() && x.rect().top() < r.top())
            })
            .cloned()
            .collect();
        let derniere = h.get_by_label("Réservataires suivants").accesskit_node().is_disabled();
        // The menu on one line: a row more than the five of two lines (the last page: the rest).
        assert!(derniere || ici.len() >= 6, "page {pages}: {ici:?}");
        assert!(!ici.is_empty(), "page {pages}");
        vus.extend(ici);
        if derniere {
            break;
        }
        h.get_by_label("Réservataires suivants").click();
        h.run_steps(3);
    }
    assert!(pages >= 2);
    let mut tries = vus.clone();
    tries.sort();
    tries.dedup();
    assert_eq!(tries.len(), vus.len(), "each réservataire on one page: {vus:?}");
    let mut attendus = noms.clone();
    attendus.sort();
    assert_eq!(tries, attendus, "every réservataire on a page");
    h.get_by_label_contains(&format!("(page {pages} / {pages})"));
    // Back with the keyboard.
    h.key_press(egui::Key::PageUp);
    h.run_steps(3);
    h.get_by_label_contains(&format!("(page {} / {pages})", pages - 1));
    h.key_press(egui::Key::PageDown);
    h.run_steps(3);
    h.get_by_label_contains(&format!("(page {pages} / {pages})"));
}

/// Projected (800 × 450 points at zoom 1,6): the six key figures of the consolidation on one
/// line when the filters are folded, in two even rows beside them (3 + 3, not 5 + 1); the
/// dashboard's nine charts in one list on the line of the stock, which leaves room for the
/// bars (four lines of choices left five in view).
#[test]
fn atelier_cartes_et_graphique_a_la_vraie_taille() {
    let t = Temp::new("atelier-cartes");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut app = App::for_tests(dossier);
    app.state.workshop = true;
    let mut h = Harness::builder().with_size([LARGEUR, HAUTEUR]).build_ui_state(|ui, app: &mut App| app.show(ui), app);
    h.run_steps(4);
    h.state_mut().messages.dire("Témoin de la barre d'état");
    h.get_by_label("Consolidation").click();
    h.run_steps(4);
    let cartes = ["Logements", "Réservés", "Non réservés", "Part réservée", "Bailleurs", "Communes"];
    let hauts = |h: &Harness<'static, App>| -> Vec<f32> {
        cartes.iter().map(|c| h.get_all_by_label(c).map(|n| n.rect().top()).fold(f32::MAX, f32::min).round()).collect()
    };
    // Beside the filters: two rows of three.
    let a = hauts(&h);
    assert!(a[0] == a[1] && a[1] == a[2] && a[3] == a[4] && a[4] == a[5] && a[3] > a[0], "{a:?}");
    h.key_press(egui::Key::F9);
    h.run_steps(4);
    let b = hauts(&h);
    assert!(b.iter().all(|y| *y == b[0]), "the filters folded: one row, {b:?}");
    for c in cartes {
        let r = h.get_all_by_label(c).min_by(|x, y| x.rect().top().total_cmp(&y.rect().top())).unwrap().rect();
        assert!(r.right() <= LARGEUR, "{c} {r:?}");
    }
    h.key_press(egui::Key::F9);
    h.run_steps(4);
    // The dashboard: the charts in a list, the bars in view.
    h.get_by_label("Tableau de bord").click();
    h.run_steps(6);
    assert!(h.query_by_label("Logements par typologie").is_none(), "the charts folded into a list");
    let liste = |h: &mut Harness<'static, App>| {
        h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Graphique").click();
        h.run_steps(3);
    };
    liste(&mut h);
    h.get_by_label("Logements par typologie").click();
    h.run_steps(6);
    assert_eq!(h.state().state.graphique.kind, contingents::charts::Kind::Typologie);
    liste(&mut h);
    h.get_all_by_label("Logements par réservataire").last().unwrap().click();
    h.run_steps(6);
    assert_eq!(h.state().state.graphique.kind, contingents::charts::Kind::Reservataires);
    let zone = zone_visible(&h);
    let barres = h.query_all(By::new().role(egui::accesskit::Role::Button)).filter(|n| {
        n.accesskit_node().label().is_some_and(|l| l.ends_with(" logements")) && zone.contains_rect(n.rect())
    });
    let n = barres.count();
    assert!(n >= 7, "bars in view beside the filters: {n}");
}
