//! A small register written by hand, every count of its bilans computed by hand.

use super::bilan::{Objectifs, Periode, calculer};
use super::orientation::classer;
use super::*;
use crate::model::{Date, Financement, Reservataire, TypologieGrille};
use std::collections::HashMap;

fn d(m: u8, j: u8) -> Option<Date> {
    Date::new(2024, m, j)
}

fn mad(id: i64, reference: &str, reservataire: Option<&str>) -> MiseADisposition {
    MiseADisposition {
        id,
        bailleur: "B".into(),
        reference: reference.into(),
        commune: "06004".into(),
        epci: "240600585".into(),
        typologie: TypologieGrille::T3,
        financement: Financement::Plus,
        qpv: false,
        annee_construction: Some(1980),
        reservataire: reservataire.map(Reservataire::new),
        hors_flux: None,
        etapes: Etapes { preavis: Some(1), ..Default::default() },
        signalement: None,
        menage: Default::default(),
    }
}

/// Made available, candidates, CALEOL (attribution or not), lease.
fn pas(mut m: MiseADisposition, dates: [Option<Date>; 5], attribue: bool) -> MiseADisposition {
    let [lib, mad, cand, cal, bail] = dates;
    m.etapes.date_liberation = lib;
    m.etapes.date_mise_a_disposition = mad;
    m.etapes.date_candidats = cand;
    m.etapes.candidats = cand.map(|_| 3);
    m.etapes.date_cal = cal;
    m.etapes.decision_cal = cal.map(|_| if attribue { DecisionCal::Attribution } else { DecisionCal::NonAttribution });
    m.etapes.date_bail = bail;
    m.etapes.issue = if bail.is_some() { Issue::BailSigne } else { Issue::EnCours };
    m
}

fn registre() -> Vec<MiseADisposition> {
    let mut l5 = pas(mad(6, "L5", Some("action-logement")), [d(9, 1), d(9, 5), d(9, 10), d(9, 20), d(10, 1)], true);
    l5.qpv = true;
    let mut l2a = pas(mad(2, "L2", Some("action-logement")), [d(3, 1), d(3, 5), d(3, 10), d(3, 20), None], false);
    l2a.etapes.issue = Issue::Reprise;
    let mut l6 = pas(mad(7, "L6", None), [d(5, 1), d(5, 1), None, None, d(5, 10)], false);
    l6.hors_flux = Some(HorsFlux::Mutations);
    let mut l7 = pas(mad(8, "L7", None), [d(12, 1), d(12, 1), None, None, Date::new(2025, 1, 10)], false);
    l7.hors_flux = Some(HorsFlux::Ventes);
    vec![
        pas(mad(1, "L1", Some("etat")), [d(1, 10), d(1, 15), d(1, 20), d(2, 1), d(2, 15)], true),
        l2a,
        // The same libération, taken back and made available to the State.
        pas(mad(3, "L2", Some("etat")), [d(3, 1), d(4, 1), d(4, 5), d(4, 20), d(5, 2)], true),
        pas(mad(4, "L3", Some("commune:06004")), [d(6, 20), d(6, 25), d(7, 2), d(7, 10), d(8, 1)], true),
        pas(mad(5, "L4", Some("action-logement")), [d(11, 15), d(11, 20), d(12, 1), d(12, 15), None], true),
        l5,
        l6,
        l7,
        pas(mad(9, "L8", Some("etat")), [d(12, 15), d(12, 20), None, None, None], false),
    ]
}

fn objectifs() -> Objectifs {
    Objectifs {
        logements: [("etat".to_string(), 10), ("action-logement".to_string(), 6), ("commune:06004".to_string(), 4)]
            .into(),
        taux: [("etat".to_string(), 0.5), ("action-logement".to_string(), 0.3), ("commune:06004".to_string(), 0.2)]
            .into(),
        perimetres: [("commune:06004".to_string(), super::bilan::PerimetreBilan::Commune("06004".into()))].into(),
        soustraits: [("mutations", 3), ("ventes", 1)].into(),
        sans_parametres: vec![],
        flux: 20,
        flux_reserve: 20,
        flux_reserve_epci: Default::default(),
        flux_reserve_commune: [("06004".to_string(), 4)].into(),
        cia: Default::default(),
        autres_annees: vec![],
    }
}

fn bilan_de(p: Periode, etapes: &HashMap<(String, String), Etape>) -> super::bilan::Bilan {
    calculer(&registre(), &p, &objectifs(), etapes, &Default::default(), vec![], Some("B".into()), None)
}

#[test]
fn the_year_at_every_step_and_the_decompte_at_the_lease() {
    let b = bilan_de(Periode::new(2024, None, None, None).unwrap(), &HashMap::new());
    let r = |id: &str| b.reservataires.iter().find(|r| r.id == id).unwrap().clone();
    let etat = r("etat");
    assert_eq!(
        (etat.mises_a_disposition, etat.avec_candidats, etat.examines_cal, etat.attributions, etat.baux_signes),
        (3, 2, 2, 2, 2)
    );
    assert_eq!(etat.decomptes, 2);
    // L8, made available on 20 December, is still open on 31 December: in progress, not a chute.
    assert_eq!((etat.en_cours, etat.chutes, etat.taux_chute), (1, 0, 0.0));
    assert_eq!((etat.objectif, etat.objectif_periode, etat.ecart), (10, 10.0, -8.0));
    assert_eq!(etat.reliquat, Some(8));
    let al = r("action-logement");
    assert_eq!(
        (al.mises_a_disposition, al.avec_candidats, al.examines_cal, al.attributions, al.baux_signes, al.decomptes),
        (3, 3, 3, 2, 1, 1)
    );
    // L2 taken back after a non-attribution (a chute), L4 still in progress, L5 leased: 1 of the
    // 2 concluded.
    assert_eq!((al.chutes, al.en_cours), (1, 1));
    assert_eq!(al.chutes_par_cause["non_attribution"], 1);
    assert!((al.taux_chute - 0.5).abs() < 1e-12);
    assert_eq!(al.mises_a_disposition, al.baux_signes + al.chutes + al.en_cours);
    let c = r("commune:06004");
    assert_eq!((c.mises_a_disposition, c.baux_signes, c.decomptes, c.taux_chute), (1, 1, 1, 0.0));
    assert!((etat.part_realisee - 0.5).abs() < 1e-12, "2 of the 4 décomptes");
    // The commune on its commune: 1 of the 4 décomptes of Antibes, against its rate there.
    assert!((c.part_realisee - 0.25).abs() < 1e-12);
    assert!((c.taux_convention - 0.2).abs() < 1e-12);
    // Outside the flux: leases signed in the period, against the soustraits forecast.
    assert_eq!((b.hors_flux["mutations"].prevus, b.hors_flux["mutations"].realises), (3, 1));
    assert_eq!(b.hors_flux["ventes"].realises, 0, "signed in 2025");
    // The regulatory breakdown: L5 in QPV for Action Logement.
    let l5 = b.detail.iter().find(|x| x.reservataire == "action-logement" && x.qpv).unwrap();
    assert_eq!(
        (l5.mises_a_disposition, l5.attributions, l5.baux_signes, l5.periode_construction),
        (1, 1, 1, "1975-1989")
    );
    assert_eq!(b.detail.iter().map(|x| x.baux_signes).sum::<u64>(), 4);
    // Cumulative décomptes by month: the State's two leases in February and May.
    assert_eq!(b.cumul_mensuel["etat"][1], 1);
    assert_eq!(b.cumul_mensuel["etat"][4], 2);
    assert_eq!(b.cumul_mensuel["etat"][11], 2);
}

#[test]
fn the_second_semester() {
    let b = bilan_de(Periode::new(2024, Some(2), None, None).unwrap(), &HashMap::new());
    let r = |id: &str| b.reservataires.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!((r("etat").mises_a_disposition, r("etat").baux_signes, r("etat").decomptes), (1, 0, 0));
    let al = r("action-logement");
    assert_eq!((al.mises_a_disposition, al.baux_signes, al.decomptes), (2, 1, 1));
    let c = r("commune:06004");
    assert_eq!((c.mises_a_disposition, c.avec_candidats, c.examines_cal, c.baux_signes, c.decomptes), (0, 1, 1, 1, 1));
    // Objectives 10, 6, 4 over 184/366 of the year, in tenths: quotas 50,27, 30,16 and 20,11,
    // total 20 × 184/366 = 10,05 → 101 tenths; the extra tenth goes to the largest remainder
    // (the State): 5,1 + 3,0 + 2,0 = 10,1, the total pro rata (review C5), never the 10,0 of
    // lines rounded one by one.
    let periode = |id: &str| r(id).objectif_periode;
    assert_eq!((periode("etat"), periode("action-logement"), periode("commune:06004")), (5.1, 3.0, 2.0));
    assert!((b.reservataires.iter().map(|r| r.objectif_periode).sum::<f64>() - 10.1).abs() < 1e-9);
    // The total row, the same in the window and the documents: 3 réservataires, 3 mises à
    // disposition (1 + 2 + 0), 2 décomptes, gap 2 − 10,1 = −8,1.
    let t = b.total();
    assert_eq!(b.reservataires.len(), 3);
    assert_eq!((t.objectif, t.objectif_periode, t.mises_a_disposition, t.decomptes, t.ecart), (20, 10.1, 3, 2, -8.1));
    assert_eq!(r("etat").ecart, -5.1);
    assert_eq!(r("etat").reliquat, None, "a reliquat is for the whole year");
    assert_eq!(b.debut, "2024-07-01");
    // Said where the figures are read (window, documents, terminal).
    assert_eq!(
        b.mention_prorata().as_deref(),
        Some(
            "Objectifs de la période : ceux de l'année 2024 au prorata de ses jours (50,3\u{a0}%), au dixième ; les dixièmes sont répartis au plus fort reste pour que la colonne fasse le total (10,1) : une ligne peut différer d'un dixième de son propre prorata."
        )
    );
}

/// Review 2, A5: a period from 1 March 2024 to 28 February 2025 covers 306/366 of 2024 and
/// 59/365 of 2025: its objectives add both years' pro rata, never 2024's alone.
#[test]
fn a_period_across_two_years_counts_both_years_objectives() {
    let mut o = objectifs();
    o.autres_annees.push(super::bilan::AutreAnnee {
        annee: 2025,
        logements: [("etat".to_string(), 12), ("action-logement".to_string(), 6), ("defense".to_string(), 3)].into(),
        soustraits: [("mutations", 4)].into(),
    });
    let p = Periode::new(2024, None, Date::new(2024, 3, 1), Date::new(2025, 2, 28)).unwrap();
    assert_eq!(p.autres_annees(), vec![2025]);
    assert!(!p.est_annuel());
    let b = calculer(&registre(), &p, &o, &HashMap::new(), &Default::default(), vec![], Some("B".into()), None);
    let r = |id: &str| b.reservataires.iter().find(|r| r.id == id).unwrap().clone();
    // Quotas: État 10 × 306/366 + 12 × 59/365 = 8,361 + 1,940 = 10,300; AL 6 × 306/366 +
    // 6 × 59/365 = 5,016 + 0,970 = 5,986; commune 4 × 306/366 = 3,344; défense 3 × 59/365 =
    // 0,485. Total 20,115 → 201 tenths shared in proportion to the quotas by largest
    // remainder (102,93 / 59,82 / 33,42 / 4,85: floors 198, the State, défense and AL take the
    // three tenths left).
    assert_eq!(r("etat").objectif_periode, 10.3);
    assert_eq!(r("action-logement").objectif_periode, 6.0);
    assert_eq!(r("commune:06004").objectif_periode, 3.3);
    assert_eq!(r("defense").objectif_periode, 0.5);
    assert_eq!(b.total().objectif_periode, 20.1);
    // « Objectif de l'année » stays year N's; no reliquat (not the year N exactly).
    assert_eq!((r("etat").objectif, r("defense").objectif, r("etat").reliquat), (10, 0, None));
    // Mutations forecast: 3 × 306/366 + 4 × 59/365 = 2,508 + 0,647 = 3,155 → 3,2.
    assert_eq!(b.hors_flux["mutations"].prevus_periode, 3.2);
    assert_eq!(b.annees.iter().map(|(a, _)| *a).collect::<Vec<_>>(), vec![2024, 2025]);
}

#[test]
fn counted_at_the_mise_a_disposition_the_libération_goes_to_the_first_reservataire() {
    let etapes: HashMap<(String, String), Etape> =
        [(("B".to_string(), "action-logement".to_string()), Etape::MiseADisposition)].into();
    let b = bilan_de(Periode::new(2024, None, None, None).unwrap(), &etapes);
    let r = |id: &str| b.reservataires.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(r("action-logement").decomptes, 3, "L2 (first made available to it), L4, L5");
    assert_eq!(r("etat").decomptes, 1, "L2 counted once, for Action Logement");
}

fn flux_for_orientation(taux_etat: f64) -> crate::flux::Flux {
    use crate::flux::{FluxParametres, Groupe, calculer};
    let g = |res: &str, n| Groupe {
        commune: "06004".into(),
        reservataire: res.into(),
        financement: Financement::Plus,
        typologie: TypologieGrille::T3,
        qpv: false,
        nature: None,
        logements: n,
    };
    let groupes = [g("action-logement", 300), g("commune:06004", 200), g("non-reserve", 500)];
    let p = FluxParametres {
        rotation_pct: Some(10.0),
        mutations: Some(0),
        taux_etat_pct: Some(taux_etat),
        ..Default::default()
    };
    calculer("B", "240600585", 2024, &groupes, &p)
}

fn baux(n: usize, res: &str, from_id: i64) -> Vec<MiseADisposition> {
    (0..n)
        .map(|i| {
            let id = from_id + i as i64;
            pas(mad(id, &format!("X{id}"), Some(res)), [d(2, 1), d(2, 5), d(2, 10), d(3, 1), d(3, 15)], true)
        })
        .collect()
}

#[test]
fn orientation_puts_the_reservataire_clearly_behind_first() {
    let f = flux_for_orientation(30.0); // État 30, Action Logement 30, commune 20
    let mut mads = baux(20, "etat", 100);
    mads.extend(baux(15, "action-logement", 200));
    let date = Date::new(2024, 7, 1).unwrap();
    let o = classer(mad(0, "N", None), &f, &mads, date, &|_, _| Etape::BailSigne);
    let fraction: f64 = 182.0 / 366.0;
    assert_eq!(o.candidats[0].id, "commune:06004", "{:?}", o.candidats);
    assert!((o.candidats[0].retard - (20.0 * fraction * 10.0).round() / 10.0).abs() < 1e-9);
    assert_eq!(
        o.candidats.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["commune:06004", "action-logement", "etat"]
    );
    assert!(!o.candidats.iter().any(|c| c.id == Reservataire::NON_RESERVE));
    // A lease signed on the day itself is not yet known.
    let mut late = baux(1, "commune:06004", 900);
    late[0].etapes.date_mise_a_disposition = d(7, 1);
    late[0].etapes.date_bail = d(7, 1);
    mads.extend(late);
    let o2 = classer(mad(0, "N", None), &f, &mads, date, &|_, _| Etape::BailSigne);
    assert_eq!(o2.candidats[0].decomptes, 0);
    assert_eq!(o2.candidats[0].en_cours, 0);
}

#[test]
fn the_state_first_outside_qpv_while_under_30_percent() {
    let f = flux_for_orientation(10.0); // État 10, Action Logement 30, commune 20
    let mut mads = baux(5, "etat", 100); // 5 of 25 décomptes outside QPV: 20 %
    mads.extend(baux(20, "action-logement", 200));
    let date = Date::new(2024, 7, 1).unwrap();
    let o = classer(mad(0, "N", None), &f, &mads, date, &|_, _| Etape::BailSigne);
    assert_eq!(o.candidats[0].id, "etat", "{:?}", o.candidats);
    assert!(o.candidats[0].raison.contains("30 %"));
    // In a QPV the State is ranked by its delay like the others.
    let mut qpv = mad(0, "N", None);
    qpv.qpv = true;
    let o = classer(qpv, &f, &mads, date, &|_, _| Etape::BailSigne);
    assert_eq!(o.candidats[0].id, "commune:06004");
}

#[test]
fn a_reservataire_with_no_objective_is_never_proposed() {
    let f = flux_for_orientation(0.0);
    let o = classer(mad(0, "N", None), &f, &[], Date::new(2024, 3, 1).unwrap(), &|_, _| Etape::BailSigne);
    assert!(!o.candidats.iter().any(|c| c.id.starts_with("etat")));
}

#[test]
fn late_answers_are_listed_with_their_deadline() {
    // Made available on Friday 26 April 2024 (1-month notice): deadline Thursday 23 May.
    let mut m = mad(1, "L1", Some("etat"));
    m.etapes.date_mise_a_disposition = d(4, 26);
    let answered = pas(mad(2, "L2", Some("etat")), [d(4, 1), d(4, 26), d(5, 2), None, None], false);
    let mads = vec![m, answered];
    let decret = |_: &MiseADisposition| (calendrier::RegleDelai::Preavis, calendrier::Calendrier::national());
    assert!(retards(&mads, Date::new(2024, 5, 23).unwrap(), &decret).is_empty(), "not late on the day itself");
    let r = retards(&mads, Date::new(2024, 5, 24).unwrap(), &decret);
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].reference.as_str(), r[0].echeance), ("L1", Date::new(2024, 5, 23).unwrap()));
    // A convention that gives one month whatever the notice (MTPM, CASA): Monday 27 May.
    let un_mois = |_: &MiseADisposition| (calendrier::RegleDelai::UnMois, calendrier::Calendrier::national());
    assert!(retards(&mads, Date::new(2024, 5, 24).unwrap(), &un_mois).is_empty());
    assert_eq!(retards(&mads, Date::new(2024, 5, 28).unwrap(), &un_mois)[0].echeance, Date::new(2024, 5, 27).unwrap());
    assert_eq!(parse_regle_delai("10"), Some(calendrier::RegleDelai::JoursOuvres(10)));
    assert_eq!(parse_regle_delai("un-mois"), Some(calendrier::RegleDelai::UnMois));
    assert_eq!(parse_regle_delai("jamais"), None);
}

#[test]
fn leases_still_open_at_the_end_of_the_semester_are_not_chutes() {
    // Action Logement in the first semester: A leased in May; B made available in June, leased
    // in July; C taken back in March after a refusal; D waiting for candidates.
    let mut c = pas(mad(3, "C", Some("action-logement")), [d(2, 1), d(2, 5), d(2, 10), d(3, 1), None], false);
    c.etapes.decision_cal = Some(DecisionCal::Refus);
    c.etapes.issue = Issue::Reprise;
    let mads = vec![
        pas(mad(1, "A", Some("action-logement")), [d(4, 1), d(4, 5), d(4, 10), d(4, 20), d(5, 2)], true),
        pas(mad(2, "B", Some("action-logement")), [d(6, 1), d(6, 10), d(6, 15), d(6, 25), d(7, 10)], true),
        c,
        pas(mad(4, "D", Some("action-logement")), [d(6, 20), d(6, 25), None, None, None], false),
    ];
    let run = |p: Periode| {
        let b = calculer(&mads, &p, &objectifs(), &HashMap::new(), &Default::default(), vec![], Some("B".into()), None);
        b.reservataires.into_iter().find(|r| r.id == "action-logement").unwrap()
    };
    let s1 = run(Periode::new(2024, Some(1), None, None).unwrap());
    assert_eq!((s1.mises_a_disposition, s1.baux_signes, s1.chutes, s1.en_cours), (4, 1, 1, 2));
    assert_eq!(s1.chutes_par_cause["refus"], 1);
    // 1 chute of the 2 concluded: 50 %, not the 75 % of counting B and D as chutes.
    assert!((s1.taux_chute - 0.5).abs() < 1e-12);
    let an = run(Periode::new(2024, None, None, None).unwrap());
    assert_eq!((an.baux_signes, an.chutes, an.en_cours), (2, 1, 1));
    assert!((an.taux_chute - 1.0 / 3.0).abs() < 1e-12);
}
