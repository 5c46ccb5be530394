//! The annex as a PDF to sign.

use super::Annexe;
use super::contenu::{V, entete, modalites, parties, sections, tableaux, titre};
use crate::export::ExportError;
use crate::export::pdf::Pdf;
use std::path::Path;

/// The annex as a PDF to sign.
pub fn pdf(a: &Annexe, out: &Path) -> Result<(), ExportError> {
    let mut p = Pdf::document(false, entete(a));
    p.paraphes = true;
    p.projet = a.projet();
    p.titre(14.0, &titre(a));
    let c = &a.coordonnees;
    // The bailleur's address, or that it is missing (never a blank the parties would not see).
    let adresse =
        if c.adresse.trim().is_empty() { "adresse non renseignée — à compléter" } else { c.adresse.trim() };
    p.texte(9.0, &format!("Bailleur : {} — {adresse}", a.bailleur));
    p.texte(10.5, &format!("{}.", a.phrase()));
    p.espace(4.0);
    for s in sections(a) {
        p.titre(11.5, &s.titre);
        if !s.lignes.is_empty() {
            let rows: Vec<Vec<String>> = std::iter::once(vec!["Rubrique".to_string(), "Valeur".to_string()])
                .chain(s.lignes.iter().map(|(k, v)| vec![k.clone(), v.text()]))
                .collect();
            // The values wide enough for a name or a perimeter (« département des
            // Alpes-Maritimes — EPCI du dossier : CA de Sophia Antipolis » on three lines, not
            // four; « État (contingent préfectoral) » on one), the labels still on one line.
            p.tableau(&[335.0, 160.0], &[false, true], &rows, 9.0);
        }
        // A note (a justification, an alert) is never split over two pages.
        for n in &s.notes {
            let h = p.hauteur_texte(9.0, n);
            p.assurer(h);
            p.texte(9.0, n);
        }
        p.espace(4.0);
    }
    // The modalités and the signatures, kept with the last rows of the last table (never a
    // page with the signatures alone).
    let modalites = modalites(a);
    let h_fin = 11.5 * 1.85
        + modalites.iter().map(|m| p.hauteur_texte(9.0, m)).sum::<f32>()
        + p.hauteur_signatures(&parties(a));
    let tableaux = tableaux(a);
    let n_tableaux = tableaux.len();
    for (i, t) in tableaux.into_iter().enumerate() {
        p.titre(11.5, &t.titre);
        if i + 1 == n_tableaux {
            p.garder_pour_la_suite = h_fin + 4.0 + t.note.as_ref().map(|n| p.hauteur_texte(8.5, n)).unwrap_or(0.0);
        }
        let widths: Vec<f32> = t.colonnes.iter().map(|c| c.2).collect();
        let right: Vec<bool> = t.colonnes.iter().map(|c| c.1).collect();
        let rows: Vec<Vec<String>> = std::iter::once(t.colonnes.iter().map(|c| c.0.to_string()).collect())
            .chain(t.lignes.iter().map(|r| r.iter().map(V::text).collect()))
            .collect();
        p.tableau(&widths, &right, &rows, 9.0);
        if let Some(n) = &t.note {
            let h = p.hauteur_texte(8.5, n);
            p.assurer(h);
            p.texte(8.5, n);
        }
        p.espace(4.0);
    }
    // The modalités stay with the signatures: never a signature block alone on a page.
    p.assurer(h_fin);
    p.titre(11.5, "Modalités");
    for m in modalites {
        p.texte(9.0, &m);
    }
    p.signatures(None, &parties(a));
    p.save(out)
}
