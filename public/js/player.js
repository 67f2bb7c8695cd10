// Plays a show's HLS stream (`<video data-hls="…m3u8">`): natively where the browser can
// (Safari, iOS), else with hls.js. Videos appear after hydration too, so newly added ones
// are picked up as well.
(function () {
  function attach(video) {
    var src = video.getAttribute('data-hls');
    if (!src || video.getAttribute('data-hls-attached') === src) return;
    video.setAttribute('data-hls-attached', src);
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
    } else if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ lowLatencyMode: true });
      hls.loadSource(src);
      hls.attachMedia(video);
    }
  }
  function scan() {
    document.querySelectorAll('video[data-hls]').forEach(attach);
  }
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  scan();
})();
