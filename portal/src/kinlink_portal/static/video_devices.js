// The camera and microphone, as the Video Test and a visit's page use them: asked for with
// getUserMedia, the picture shown in [data-self-view], the microphone's level in
// [data-microphone-level]. What is said comes from the page's [data-say] sentences (its language).
(() => {
  const say = (state) => {
    const shown = document.querySelector("[data-device-state]");
    const sentence = document.querySelector(`[data-say="${state}"]`);
    if (shown) {
      shown.dataset.deviceState = state;
      shown.textContent = sentence ? sentence.textContent : state;
    }
  };

  // The level: the loudest sample of each frame, 0 to 100; "heard" once someone speaks.
  const meter = (stream) => {
    const bar = document.querySelector("[data-microphone-level]");
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    let heard = false;
    const measure = () => {
      if (context.state === "closed") {
        return;
      }
      analyser.getByteTimeDomainData(samples);
      let loudest = 0;
      for (const sample of samples) {
        loudest = Math.max(loudest, Math.abs(sample - 128));
      }
      const level = Math.min(100, Math.round((loudest / 128) * 100));
      if (bar) {
        bar.value = level;
        bar.textContent = String(level);
      }
      if (!heard && level >= 5) {
        heard = true;
        say("heard");
      }
      requestAnimationFrame(measure);
    };
    measure();
    return context;
  };

  let running = null;

  const stop = () => {
    if (running) {
      running.stream.getTracks().forEach((track) => track.stop());
      running.context.close();
      running = null;
    }
    const view = document.querySelector("[data-self-view]");
    if (view) {
      view.srcObject = null;
    }
  };

  // The stream, or null when the browser refused (the page then says why).
  const start = async () => {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("unsupported");
      return null;
    }
    stop();
    say("asking");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (error) {
      const known = ["NotAllowedError", "NotFoundError", "NotReadableError"];
      say(known.includes(error.name) ? error.name : "failed");
      return null;
    }
    const view = document.querySelector("[data-self-view]");
    if (view) {
      view.srcObject = stream;
    }
    running = { stream, context: meter(stream) };
    say("allowed");
    return stream;
  };

  window.kinlinkDevices = { start, stop };

  document.addEventListener("DOMContentLoaded", () => {
    const startButton = document.querySelector("[data-start-test]");
    const stopButton = document.querySelector("[data-stop-test]");
    if (!startButton) {
      return;
    }
    startButton.hidden = false;
    startButton.addEventListener("click", async () => {
      if (await start()) {
        stopButton.hidden = false;
      }
    });
    stopButton.addEventListener("click", () => {
      stop();
      stopButton.hidden = true;
      say("waiting");
    });
  });
})();
