'use strict';

// Shown where a point has no thumbnail (ingested without --thumbnail-size).
const PLACEHOLDER = 'data:image/svg+xml;utf8,' + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120" viewBox="0 0 160 120">' +
  '<rect width="160" height="120" fill="#e9edf1"/>' +
  '<text x="80" y="64" font-family="sans-serif" font-size="13" fill="#5b6773" text-anchor="middle">no preview</text></svg>');

const el = (id) => document.getElementById(id);
let searches = 0;
let maxUploadBytes = Infinity;

async function loadVocabulary() {
  const response = await fetch('/api/vocabulary');
  const vocabulary = await response.json();
  el('max-results').textContent = vocabulary.max_results;
  maxUploadBytes = vocabulary.max_upload_bytes ?? Infinity;
  el('limit').max = vocabulary.max_results;
  const rows = el('diagnoses').querySelector('tbody');
  for (const d of vocabulary.diagnoses) {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = d.label;
    row.append(name, checkboxCell('dx_include', d.value, 'Only ' + d.label),
      checkboxCell('dx_exclude', d.value, 'Exclude ' + d.label));
    rows.append(row);
  }
  const samples = el('samples');
  for (const id of vocabulary.samples ?? []) {
    const pick = document.createElement('button');
    pick.type = 'button';
    pick.className = 'sample';
    pick.textContent = id;
    pick.addEventListener('click', () => {
      el('image-file').value = '';
      el('image-id').value = id;
      el('search-form').requestSubmit();
    });
    samples.append(pick);
  }
  samples.hidden = !vocabulary.samples?.length;
  const sites = el('body-sites');
  for (const site of vocabulary.body_sites) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'localization_exclude';
    box.value = site;
    label.append(box, site);
    sites.append(label);
  }
}

function checkboxCell(name, value, label) {
  const cell = document.createElement('td');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.name = name;
  box.value = value;
  box.setAttribute('aria-label', label);
  // Only and exclude of one diagnosis contradict each other: ticking one clears the other.
  box.addEventListener('change', () => {
    if (box.checked) {
      const other = name === 'dx_include' ? 'dx_exclude' : 'dx_include';
      const twin = document.querySelector(`input[name="${other}"][value="${CSS.escape(value)}"]`);
      if (twin) twin.checked = false;
    }
  });
  cell.append(box);
  return cell;
}

function formData() {
  const data = new FormData();
  const file = el('image-file').files[0];
  const imageId = el('image-id').value.trim();
  if (file) data.append('image', file, file.name);
  if (imageId) data.append('image_id', imageId);
  for (const name of ['limit', 'score_threshold', 'sex', 'age_min', 'age_max']) {
    const input = document.querySelector(`[name="${name}"]`);
    if (input.value.trim() !== '') data.append(name, input.value.trim());
  }
  for (const box of document.querySelectorAll('input[type=checkbox]:checked')) {
    data.append(box.name, box.value);
  }
  return data;
}

function showMessage(text) {
  const message = el('message');
  message.textContent = text;
  message.hidden = !text;
}

function describeQuery() {
  const file = el('image-file').files[0];
  return file ? `the uploaded image ${file.name}` : `image ${el('image-id').value.trim()}`;
}

const megabytes = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

// The server refuses an oversized upload without reading it and closes the connection; some browsers
// then report only a reset, so the page says it before sending the file at all.
function tooLargeMessage() {
  const file = el('image-file').files[0];
  if (!file || file.size <= maxUploadBytes) return null;
  return `The image is too large: ${megabytes(file.size)}, and the limit is ${megabytes(maxUploadBytes)}. `
    + 'Upload a smaller JPEG or PNG (a photo exported at a lower resolution will do).';
}

async function search(event) {
  if (event) event.preventDefault();
  const button = el('search-button');
  const results = el('results');
  showMessage('');
  el('status').textContent = 'Searching…';
  button.disabled = true;
  let body = null;
  let status = 0;
  const refusal = tooLargeMessage();
  try {
    if (refusal) {
      body = { error: { code: 'UPLOAD_TOO_LARGE', message: refusal } };
      status = 413;
    } else {
      const response = await fetch('/api/search', { method: 'POST', body: formData() });
      status = response.status;
      body = await response.json().catch(() => null);
    }
  } catch (e) {
    body = null;
  } finally {
    button.disabled = false;
  }
  searches++;
  results.replaceChildren();
  results.dataset.searches = String(searches);
  if (status !== 200 || !body || !Array.isArray(body.cards)) {
    el('status').textContent = 'The search did not complete.';
    // No answer at all: the network failed, or the server refused the upload unread (too busy) and
    // the browser saw the connection close before it saw the answer.
    showMessage(body && body.error ? body.error.message
      : 'The page got no answer from its server: the connection failed, or the server is busy. '
        + 'Try again in a few seconds; if it keeps happening, check the connection.');
    results.dataset.outcome = 'error';
    return;
  }
  results.dataset.outcome = 'ok';
  if (body.cards.length === 0) {
    el('status').textContent = 'No indexed case matches these filters and minimum similarity. '
      + 'Widen the filters or lower the minimum similarity.';
    return;
  }
  const n = body.cards.length;
  el('status').textContent = body.grouped
    ? `${n} most similar lesion${n === 1 ? '' : 's'} to ${describeQuery()}, most similar first; `
      + 'each card shows the lesion\'s best-matching photo.'
    : `${n} most similar case${n === 1 ? '' : 's'} to ${describeQuery()}, most similar first.`;
  results.dataset.grouped = body.grouped ? 'true' : 'false';
  for (const card of body.cards) results.append(renderCard(card));
}

function renderCard(card) {
  const node = el('card-template').content.firstElementChild.cloneNode(true);
  node.dataset.imageId = card.image_id ?? '';
  node.dataset.score = String(card.score);
  node.dataset.dx = card.dx ?? '';
  node.dataset.sex = card.sex ?? '';
  node.dataset.age = card.age ?? '';
  node.dataset.localization = card.localization ?? '';
  const img = node.querySelector('.thumbnail');
  img.src = card.thumbnail || PLACEHOLDER;
  img.classList.toggle('placeholder', !card.thumbnail);
  img.alt = card.thumbnail ? `Lesion ${card.image_id}` : 'No preview stored for this image';
  node.querySelector('.dx-label').textContent = card.dx_label;
  node.querySelector('.score').textContent = `similarity ${card.score.toFixed(4)}`;
  node.querySelector('.image-id').textContent = card.image_id ?? '—';
  node.querySelector('.localization').textContent = card.localization ?? 'not recorded';
  node.querySelector('.sex').textContent = card.sex ?? 'not recorded';
  node.querySelector('.age').textContent = card.age ?? 'not recorded';
  node.dataset.lesionId = card.lesion_id ?? '';
  node.querySelector('.more-like-this').addEventListener('click', () => moreLikeThis(card));
  const others = card.other_photos ?? [];
  if (others.length > 0) node.querySelector('.card-body').insertBefore(otherPhotos(others),
    node.querySelector('.more-like-this'));
  return node;
}

// The lesion's other photos among the best matches: thumbnails, each a "more like this" of its own.
function otherPhotos(photos) {
  const strip = document.createElement('div');
  strip.className = 'other-photos';
  const caption = document.createElement('p');
  caption.className = 'other-photos-caption';
  caption.textContent = `Other photos of this lesion (${photos.length})`;
  strip.append(caption);
  for (const photo of photos) {
    const img = document.createElement('img');
    img.className = 'other-photo';
    img.dataset.imageId = photo.image_id ?? '';
    img.dataset.score = String(photo.score);
    img.src = photo.thumbnail || PLACEHOLDER;
    img.alt = `Photo ${photo.image_id}, similarity ${photo.score.toFixed(4)}`;
    img.title = img.alt;
    img.addEventListener('click', () => moreLikeThis(photo));
    strip.append(img);
  }
  return strip;
}

function moreLikeThis(card) {
  el('image-file').value = '';
  el('image-id').value = card.image_id;
  showPreview(card.thumbnail || PLACEHOLDER, `Cases like ${card.image_id}`);
  search(null);
}

function showPreview(src, caption) {
  el('query-image').src = src;
  el('query-caption').textContent = caption;
  el('query-preview').hidden = false;
}

el('image-file').addEventListener('change', () => {
  const file = el('image-file').files[0];
  if (!file) return;
  el('image-id').value = '';
  showPreview(URL.createObjectURL(file), file.name);
});
el('image-id').addEventListener('input', () => {
  if (el('image-id').value.trim() !== '') {
    el('image-file').value = '';
    el('query-preview').hidden = true;
  }
});
el('search-form').addEventListener('submit', search);
loadVocabulary().catch(() => showMessage('The page could not load its filter choices from the server.'));
