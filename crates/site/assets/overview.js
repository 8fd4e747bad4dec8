
(function () {
  var table = document.getElementById('overview');
  if (!table) return;
  var body = table.tBodies[0];
  var status = document.getElementById('status-filter');
  var commissioner = document.getElementById('commissioner-filter');
  var code = document.getElementById('code-filter');
  var text = document.getElementById('text-filter');
  function filter() {
    var want = status.value, needle = text.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (row) {
      var cells = Array.prototype.slice.call(row.cells);
      var hasStatus = !want || cells.some(function (c) { return c.className === want; });
      var hasCommissioner = !commissioner.value ||
        (row.dataset.commissioners || '').split('\n').indexOf(commissioner.value) >= 0;
      var hasCode = !code.value || (row.dataset.codes || '').split(' ').indexOf(code.value) >= 0;
      var hasText = !needle || row.textContent.toLowerCase().indexOf(needle) >= 0;
      row.style.display = hasStatus && hasCommissioner && hasCode && hasText ? '' : 'none';
    });
  }
  [status, commissioner, code].forEach(function (s) { s.addEventListener('change', filter); });
  text.addEventListener('input', filter);
  // A link may choose the filters: index.html#code=CAP001&status=blocked.
  var chosen = new URLSearchParams(location.hash.slice(1));
  [['status', status], ['commissioner', commissioner], ['code', code], ['text', text]]
    .forEach(function (p) { if (chosen.has(p[0])) p[1].value = chosen.get(p[0]); });
  filter();
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.style.cursor = 'pointer';
    th.addEventListener('click', function () {
      var rows = Array.prototype.slice.call(body.rows);
      var descending = th.dataset.sorted === 'up';
      rows.sort(function (a, b) {
        var x = a.cells[column] ? a.cells[column].textContent : '';
        var y = b.cells[column] ? b.cells[column].textContent : '';
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      th.dataset.sorted = descending ? 'down' : 'up';
    });
  });
})();
