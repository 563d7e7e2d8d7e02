// A whole frame with face boxes over it: camera previews and sighting keyframes. Boxes are placed in percent of the
// image's own pixel size, so they stay on the faces at any displayed size. Styles are set through the CSSOM (the page's
// CSP forbids style attributes), which keeps this module self-contained.
import { $, h } from './dom.js';
import { imgSrc } from './api.js';

const COLORS = { known: 'var(--ok)', tracked: 'var(--warn)', face: 'var(--accent)' };

/**
 * <div class="frame"> holding the <img> and one <div class="preview-box"> per face (label in <span class="preview-label">).
 * faces: [{ box: [x, y, w, h] in image pixels, label, kind: 'known' | 'tracked' | 'face', track, identity }].
 * size: { width, height } of the image in pixels; without it the boxes are placed once the image has loaded.
 */
export function framedImage(img, faces, size) {
  Object.assign(img.style, { display: 'block', width: '100%', height: 'auto' });
  const frame = styled(h('div', { class: 'frame' }, img), { position: 'relative', width: '100%', lineHeight: '0' });
  const place = (width, height) => {
    frame.querySelectorAll('.preview-box').forEach((b) => b.remove());
    if (!(width > 0 && height > 0)) return;
    for (const f of faces) frame.append(boxDiv(f, width, height));
  };
  if (size?.width && size?.height) place(size.width, size.height);
  else if (img.complete && img.naturalWidth) place(img.naturalWidth, img.naturalHeight);
  else img.addEventListener('load', () => place(img.naturalWidth, img.naturalHeight), { once: true });
  return frame;
}

/**
 * A sighting (search hit or history entry) in the viewer dialog: its keyframe with the face boxed (when the box is known),
 * falling back to the thumbnail.
 */
export function openSighting(hit, name, lines) {
  const thumb = imgSrc(hit.thumbnail_url);
  const keyframe = imgSrc(hit.keyframe_url);
  const body = $('#viewer-body');
  const note = h('p', { class: 'muted small', id: 'viewer-note' });
  const showThumbnail = (why) => {
    view.replaceChildren(thumb ? h('img', { src: thumb, class: 'large', alt: name }) : h('p', { class: 'muted' }, 'no thumbnail stored'));
    view.dataset.view = 'thumbnail';
    note.textContent = why;
  };
  const view = h('div', { id: 'viewer-frame' });
  if (keyframe) {
    const img = h('img', { class: 'large keyframe', alt: `${name} on ${hit.camera}` });
    img.addEventListener('error', () => showThumbnail('The keyframe could not be loaded; this is the track\'s face thumbnail.'), { once: true });
    img.src = keyframe;
    const faces = hit.keyframe_box ? [{ box: hit.keyframe_box, kind: hit.identity_name ? 'known' : 'tracked', label: name, track: hit.track_id, identity: hit.identity_id }] : [];
    view.replaceChildren(framedImage(img, faces));
    view.dataset.view = 'keyframe';
    view.style.width = 'min(680px, 100%)';
    note.textContent = 'The whole frame the track\'s best face came from; the box marks that face.';
  } else {
    showThumbnail('No keyframe is stored for this sighting; this is the track\'s face thumbnail.');
  }
  body.replaceChildren(h('h3', {}, name), view, h('ul', { class: 'facts' }, lines.filter(Boolean).map((l) => h('li', {}, l))), note);
  $('#viewer').showModal();
}

function boxDiv(f, width, height) {
  const [x, y, w, hh] = f.box;
  const color = COLORS[f.kind] ?? COLORS.face;
  const pct = (v, of) => `${((100 * v) / of).toFixed(3)}%`;
  const label = f.label ? styled(h('span', { class: 'preview-label' }, f.label), {
    position: 'absolute', left: '-2px', bottom: '100%', background: color, color: '#fff', fontSize: '11px', padding: '0 4px',
    whiteSpace: 'nowrap', borderRadius: '3px 3px 0 0',
  }) : null;
  return styled(h('div', { class: `preview-box ${f.kind ?? 'face'}`, 'data-track': f.track ?? null, 'data-identity': f.identity ?? null }, label), {
    position: 'absolute', left: pct(x, width), top: pct(y, height), width: pct(w, width), height: pct(hh, height),
    border: `2px solid ${color}`, boxSizing: 'border-box', pointerEvents: 'none', lineHeight: '1.3',
  });
}

function styled(el, style) {
  Object.assign(el.style, style);
  return el;
}
