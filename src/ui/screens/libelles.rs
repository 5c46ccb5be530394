//! Labels that could not be reconciled: the user maps each to a canonical value from a
//! searchable list; the mapping is kept in the dossier and applied to the rows set aside.
//! The financement correspondence is edited here too.

use crate::ui::state::{Action, DossierView, LibellesState};
use contingents::consolidate::libelle_reservataire;
use contingents::model::{ChampLibelle, Financement, Reservataire};
use contingents::reference::reference;
use eframe::egui;

/// Canonical values offered for a label, as (value stored, text shown), closest first:
/// communes with their département (homonyms told apart), those of the dossier's territory
/// first; réservataires of the territory; typologies and financements.
fn candidates(v: &DossierView, champ: ChampLibelle, libelle: &str, recherche: &str) -> Vec<(String, String)> {
    let r = reference();
    let filtre = |options: Vec<(String, String)>| -> Vec<(String, String)> {
        let needle = contingents::text::key(recherche);
        let mut o: Vec<(String, String)> = options
            .into_iter()
            .filter(|(_, shown)| needle.is_empty() || contingents::text::key(shown).contains(&needle))
            .collect();
        if needle.is_empty() {
            let target = contingents::text::place_key(libelle);
            o.sort_by_cached_key(|(_, shown)| {
                contingents::text::distance(&contingents::text::place_key(shown), &target)
            });
        }
        o
    };
    match champ {
        ChampLibelle::Typologie => filtre(
            ["Chambre", "Studio", "T1", "T1bis", "T2", "T3", "T4", "T5", "T6", "T7", "T8"]
                .iter()
                .map(|t| (t.to_string(), t.to_string()))
                .collect(),
        ),
        ChampLibelle::Financement => {
            filtre(Financement::ALL.iter().map(|f| (f.as_str().to_string(), f.as_str().to_string())).collect())
        }
        ChampLibelle::Menage => filtre(
            contingents::model::Public::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())).collect(),
        ),
        ChampLibelle::Quartile => filtre(
            contingents::model::Quartile::ALL.iter().map(|q| (q.numero().to_string(), q.label().to_string())).collect(),
        ),
        ChampLibelle::Commune => r
            .communes_proposees(libelle, &v.territoire, recherche, 40)
            .into_iter()
            .map(|c| (c.insee.to_string(), c.libelle_complet()))
            .collect(),
        ChampLibelle::Reservataire | ChampLibelle::Siecle => {
            let mut ids: Vec<String> = Reservataire::FIXES.iter().map(|r| r.to_string()).collect();
            if let Some(d) = v.territoire.departement() {
                ids.push(Reservataire::departement(&d).into());
            }
            if let contingents::reference::Territoire::Epci(s) = &v.territoire {
                ids.push(Reservataire::epci(s).into());
            }
            let mut options = filtre(ids.into_iter().map(|id| (id.clone(), libelle_reservataire(&id))).collect());
            // The communes as réservataires: those of the territory first, each with its
            // département (« Commune de Gourdon (Alpes-Maritimes, 06068) »: homonyms told apart).
            options.extend(r.communes_proposees(libelle, &v.territoire, recherche, 40).into_iter().map(|c| {
                let id: String = Reservataire::commune(c.insee).into();
                let nom = contingents::consolidate::libelle_valeur(ChampLibelle::Reservataire, &id);
                (id, nom)
            }));
            options
        }
    }
}

pub fn libelles(v: &DossierView, etat: &mut LibellesState, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Libellés à rapprocher");
    let libelles = v.libelles.clone();
    let financements = v.financements.clone();
    if libelles.is_empty() && v.dates_ambigues.is_empty() {
        ui.label("Tous les libellés des fichiers importés sont reconnus.");
    } else {
        ui.label("Associez chaque libellé à une valeur : l'association est gardée dans le dossier, appliquée tout de suite aux lignes mises de côté et à chaque import suivant.");
    }
    // One banner, always the same height (the question, the last mapping, or what to do):
    // the table under it never moves as a value is chosen or confirmed.
    let ligne = ui.text_style_height(&egui::TextStyle::Body).max(ui.spacing().interact_size.y);
    let fond =
        if etat.proposition.is_some() { egui::Color32::from_rgb(255, 243, 205) } else { ui.visuals().faint_bg_color };
    egui::Frame::group(ui.style()).fill(fond).show(ui, |ui| {
        ui.set_min_height(3.0 * ligne + 2.0 * ui.spacing().item_spacing.y);
        ui.set_width(ui.available_width());
        if let Some((champ, libelle, valeur)) = etat.proposition.clone() {
            let shown = contingents::consolidate::libelle_valeur(champ, &valeur);
            ui.add(egui::Label::new(format!(
                "Associer « {libelle} » à {shown} ? Ses lignes mises de côté seront réintégrées, et l'association gardée pour les prochains imports."
            )).wrap());
            ui.horizontal(|ui| {
                if ui.button("Confirmer l'association").clicked() {
                    actions.push(Action::MapLabel { champ, libelle: libelle.clone(), valeur: valeur.clone() });
                }
                if ui.button("Choisir une autre valeur").clicked() {
                    actions.push(Action::CancelLabel);
                }
            });
        } else if let Some((avant, shown)) = &etat.annulable {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Dernière association : « {} » → {shown}", avant.libelle));
                if ui.button("Annuler l'association").clicked() {
                    actions.push(Action::UndoLabel);
                }
            });
        } else if !libelles.is_empty() {
            ui.weak("Choisissez une valeur dans « Associer à… » : l'association vous est demandée ici avant d'être appliquée.");
        }
    });
    // Rows set aside for a field left empty (or a spreadsheet error such as « #N/A »): a
    // missing value, to fix in the bailleur's file — never a label to reconcile.
    let manquantes: Vec<_> = v
        .rejets
        .iter()
        .filter(|r| {
            contingents::model::Motif::parse(&r.motif).and_then(|m| m.champ()).is_some()
                && (r.valeur.trim().is_empty() || contingents::text::is_error_marker(&r.valeur))
        })
        .collect();
    if !manquantes.is_empty() {
        egui::CollapsingHeader::new(format!(
            "Valeur manquante : {} (cellule vide ou erreur du tableur, à corriger dans le fichier du bailleur)",
            contingents::format::pluriel(manquantes.len() as u64, "ligne", "lignes")
        ))
        .id_salt("valeurs-manquantes")
        .show(ui, |ui| {
            for r in manquantes.iter().take(500) {
                let champ = contingents::model::Motif::parse(&r.motif)
                    .and_then(|m| m.champ())
                    .map(contingents::consolidate::libelle_champ)
                    .unwrap_or("Autre champ");
                let lu = if r.valeur.trim().is_empty() { String::new() } else { format!(" (lu : {})", r.valeur) };
                ui.label(format!(
                    "{} — {}{}, ligne {} : {} — valeur manquante{lu}",
                    r.bailleur,
                    r.fichier,
                    r.feuille.as_deref().map(|f| format!(", feuille {f}")).unwrap_or_default(),
                    r.ligne,
                    champ
                ));
            }
        });
    }
    let ignores = etat.ignores.clone();
    let lignes: Vec<_> = libelles.iter().filter(|l| !ignores.contains(&(l.champ, l.libelle.clone()))).collect();
    egui::ScrollArea::vertical().id_salt("ecran-libelles").auto_shrink([false, false]).show(ui, |ui| {
        // The actions next to the label; the bailleurs (a long list) last.
        let entetes = ["Libellé", "Champ", "Lignes", "Rechercher", "Associer à", "", "Bailleurs"];
        super::tableau_fixe(ui, "libelles", &entetes, lignes.len(), |ui, i, c| {
            let l = lignes[i];
            match c {
                0 => {
                    super::texte(ui, &l.libelle);
                }
                1 => {
                    super::texte(ui, contingents::consolidate::libelle_champ(l.champ));
                }
                2 => super::num(ui, l.lignes),
                6 => {
                    super::texte(ui, l.bailleurs.join(", "));
                }
                3 => {
                    let search = etat.recherche.entry((l.champ, l.libelle.clone())).or_default();
                    // A grid column keeps the width of its last frame: the field takes its own size.
                    let h = ui.spacing().interact_size.y;
                    ui.add_sized(
                        [170.0, h],
                        egui::TextEdit::singleline(search)
                            .id_salt(("recherche", &l.champ, &l.libelle))
                            .hint_text("filtrer la liste"),
                    );
                }
                4 => {
                    let search = etat.recherche.get(&(l.champ, l.libelle.clone())).cloned().unwrap_or_default();
                    // The value chosen shows in its row while it waits for confirmation.
                    let choisi = etat
                        .proposition
                        .as_ref()
                        .filter(|(c, lib, _)| *c == l.champ && *lib == l.libelle)
                        .map(|(c, _, val)| contingents::consolidate::libelle_valeur(*c, val))
                        .unwrap_or_else(|| "Associer à…".into());
                    // The action said on the button (« Associer à… »), and for a screen reader
                    // with the label it maps.
                    let nom = format!("Associer « {} » à…", l.libelle);
                    egui::ComboBox::from_id_salt(("associer", &l.champ, &l.libelle))
                        .width(230.0)
                        .selected_text(choisi)
                        .show_ui(ui, |ui| {
                            // Computed only while the list is open. The closest names first: a
                            // suggestion the user confirms, never applied alone.
                            for (value, shown) in candidates(v, l.champ, &l.libelle, &search).into_iter().take(40) {
                                if ui.selectable_label(false, shown).clicked() {
                                    actions.push(Action::ProposeLabel {
                                        champ: l.champ,
                                        libelle: l.libelle.clone(),
                                        valeur: value,
                                    });
                                }
                            }
                        })
                        .response
                        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &nom));
                }
                _ => {
                    if ui.button("Ignorer").on_hover_text("Laisser ces lignes de côté pour cette session").clicked() {
                        actions.push(Action::IgnoreLabel { champ: l.champ, libelle: l.libelle.clone() });
                    }
                }
            }
        });
        if !v.dates_ambigues.is_empty() {
            ui.add_space(16.0);
            ui.heading("Années à deux chiffres");
            ui.label("Ces fins de convention n'ont que deux chiffres d'année (« 31/12/45 » : droit échu en 1945 ou actif jusqu'en 2045 ?) : leurs lignes restent de côté jusqu'à ce que vous tranchiez, une fois pour la colonne du fichier (les prochains imports de ce fichier suivront).");
            for c in &v.dates_ambigues {
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!(
                        "{} — colonne « {} » ({}) : {}, par exemple {}",
                        c.fichier,
                        c.colonne,
                        c.bailleurs.join(", "),
                        contingents::format::pluriel(c.lignes as u64, "ligne", "lignes"),
                        c.exemples.join(", ")
                    ));
                    for (label, siecle) in [
                        ("19xx (années 1900)", contingents::model::Siecle::Annees1900),
                        ("20xx (années 2000)", contingents::model::Siecle::Annees2000),
                    ] {
                        if ui.button(label).clicked() {
                            actions.push(Action::TrancherSiecle { cle: c.cle.clone(), siecle });
                        }
                    }
                });
            }
        }
        ui.add_space(16.0);
        ui.heading("Correspondance des financements");
        egui::Grid::new("financements").striped(true).show(ui, |ui| {
            ui.strong("Libellé → financement");
            ui.end_row();
            for (libelle, valeur) in &financements {
                let current = Financement::parse(valeur).unwrap_or(Financement::Autre);
                let mut choice = current;
                egui::ComboBox::new(("fin", libelle), libelle.as_str()).selected_text(choice.as_str()).show_ui(
                    ui,
                    |ui| {
                        for f in Financement::ALL {
                            ui.selectable_value(&mut choice, f, f.as_str());
                        }
                    },
                );
                if choice != current {
                    actions.push(Action::SetFinancement { libelle: libelle.clone(), valeur: choice });
                }
                ui.end_row();
            }
        });
    });
    actions
}
