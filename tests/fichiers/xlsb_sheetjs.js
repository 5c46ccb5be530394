const X = require('xlsx');
const rows = [
  ['Référence', 'Code INSEE', 'Commune', 'Réservataire', 'Typologie', 'Financement', 'Date de fin de convention'],
  ['B1', '06004', 'Antibes', 'Préfecture', 'T2', 'PLUS', null],
  ['B2', '06004', 'Antibes', 'Action Logement', 'T3', 'PLAI', 45657],
  ['B3', '06018', 'Biot', 'Non réservé', 'T4', 'PLS', null],
  ['B4', '06018', 'Biot', 'Préfecture', 'T1', 'PLUS', 43830],
];
const ws = X.utils.aoa_to_sheet(rows);
const wb = X.utils.book_new();
X.utils.book_append_sheet(wb, ws, 'EDL');
X.writeFile(wb, process.argv[2], {bookType: 'xlsb'});
