// Plays a show's HLS stream (`<video data-hls="…m3u8">`): natively where the browser can
// (Safari, iOS), else with hls.js. Videos appear after hydration too, so newly added ones
// are picked up as well.
//
// hls.js (about 120 KB compressed) is fetched only where it is needed, and only once the page's
// own code has taken over (`<html data-hydrated>`): on a phone's connection the buy buttons
// come first, the video a moment later.
(function () {
  var hlsLoading = null;
  function hydrated() {
    return document.documentElement.getAttribute('data-hydrated') === 'true';
  }
  function loadHls() {
    if (window.Hls) return Promise.resolve();
    if (!hlsLoading) {
      hlsLoading = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = '/vendor/hls/hls.light.min.js';
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return hlsLoading;
  }
  function attach(video) {
    var src = video.getAttribute('data-hls');
    if (!src || video.getAttribute('data-hls-attached') === src) return;
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.setAttribute('data-hls-attached', src);
      video.src = src;
      return;
    }
    if (!hydrated()) return; // scanned again when the page marks itself hydrated
    video.setAttribute('data-hls-attached', src);
    loadHls().then(function () {
      if (window.Hls && window.Hls.isSupported()) {
        var hls = new window.Hls({ lowLatencyMode: true });
        hls.loadSource(src);
        hls.attachMedia(video);
      }
    });
  }
  function scan() {
    document.querySelectorAll('video[data-hls]').forEach(attach);
  }
  new MutationObserver(scan).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['data-hydrated'],
  });
  scan();
})();
