// folio serve: updates this page when the site is rebuilt.
(function () {
	var me = document.currentScript, box = null;
	var es = new EventSource('/_folio/events?since=' + encodeURIComponent(me ? me.dataset.build : ''));
	function outline(doc) {
		var h = doc.documentElement;
		return [].map.call(h.attributes, function (a) { return a.name + '=' + a.value; }).join(' ') +
			(doc.head ? doc.head.innerHTML : '');
	}
	var start = outline(document);
	function hide() { if (box) { box.remove(); box = null; } }
	function line(parent, text) {
		var p = document.createElement('p');
		p.style.margin = '0 0 .5em';
		p.textContent = text;
		parent.appendChild(p);
		return p;
	}
	function show(errors) {
		hide();
		box = document.createElement('div');
		box.id = 'folio-errors';
		box.setAttribute('role', 'alert');
		box.style.cssText = 'position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;' +
			'padding:1.5em;background:rgba(40,0,0,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;' +
			'white-space:pre-wrap;text-align:left';
		line(box, 'folio: the build failed; this is the last good version of the page.').style.fontWeight = 'bold';
		errors.forEach(function (e) {
			var at = e.file ? e.file + (e.line ? ':' + e.line + (e.col ? ':' + e.col : '') : '') + ': ' : '';
			line(box, at + 'error: ' + e.message);
		});
		(document.body || document.documentElement).appendChild(box);
	}
	function scripted(doc) {
		return [].some.call(doc.scripts, function (s) {
			return s.getAttribute('src') !== '/_folio/live.js' && (!s.type || /script|module/i.test(s.type));
		});
	}
	// A page without scripts whose <head> did not change gets the new
	// <body> in place, which is much faster than a reload and keeps the
	// scroll position; anything else reloads.
	function update() {
		if (scripted(document)) return location.reload();
		fetch(location.href, { cache: 'no-store' }).then(function (r) {
			if (!r.ok || !/html/.test(r.headers.get('content-type'))) throw r;
			return r.text();
		}).then(function (html) {
			var doc = new DOMParser().parseFromString(html, 'text/html');
			if (outline(doc) !== start || scripted(doc)) throw doc;
			hide();
			document.body.replaceWith(document.adoptNode(doc.body));
		}).catch(function () { location.reload(); });
	}
	es.addEventListener('reload', update);
	es.addEventListener('ok', hide);
	es.addEventListener('error', function (e) { if (e.data) show(JSON.parse(e.data).errors); });
	es.addEventListener('css', function () {
		hide();
		document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (old) {
			var u = new URL(old.href, location.href);
			if (u.origin !== location.origin) return;
			u.searchParams.set('folio', Date.now());
			var n = old.cloneNode();
			n.href = u.href;
			n.onload = n.onerror = function () { old.remove(); };
			old.after(n);
		});
	});
})();
