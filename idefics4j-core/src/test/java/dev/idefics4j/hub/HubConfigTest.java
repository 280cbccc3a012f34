package dev.idefics4j.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment is read as huggingface_hub reads it. */
class HubConfigTest {
    @TempDir
    Path home;

    @Test
    void defaultsFollowHfHome() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString()));

        assertEquals(URI.create("https://huggingface.co"), c.endpoint());
        assertEquals(home.resolve("hub"), c.cacheDir());
        assertNull(c.token());
        assertFalse(c.offline());
    }

    @Test
    void withoutHfHomeTheXdgCacheIsUsed() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", home.toString()));

        assertEquals(home.resolve("huggingface/hub"), c.cacheDir());
    }

    @Test
    void hubCacheAndEndpointOverride() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_HUB_CACHE",
                home.resolve("elsewhere").toString(), "HF_ENDPOINT", "https://hf-mirror.example/"));

        assertEquals(home.resolve("elsewhere"), c.cacheDir());
        assertEquals(URI.create("https://hf-mirror.example"), c.endpoint(), "no trailing slash");
    }

    @Test
    void theTokenComesFromHfTokenBeforeTheTokenFile() throws IOException {
        Files.writeString(home.resolve("token"), "hf_from_file\n");

        assertEquals("hf_from_file", HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString())).token());
        assertEquals("hf_from_env", HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(),
                "HF_TOKEN", "hf_from_env")).token());
        assertEquals("hf_legacy", HubConfig.fromEnvironment(Map.of("HF_HOME", home.resolve("none").toString(),
                "HUGGING_FACE_HUB_TOKEN", "hf_legacy")).token());
    }

    @Test
    void offlineAcceptsPythonsTrueValues() {
        for (String v : new String[] {"1", "true", "TRUE", "yes", "on"}) {
            assertTrue(HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_HUB_OFFLINE", v))
                    .offline(), v);
        }
        assertFalse(HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_HUB_OFFLINE", "0")).offline());
        assertTrue(HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(), "TRANSFORMERS_OFFLINE", "1"))
                .offline());
    }

    @Test
    void progressBarsCanBeSwitchedOff() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(),
                "HF_HUB_DISABLE_PROGRESS_BARS", "1"));

        assertSame(DownloadProgress.silent(), c.progress());
    }

    @Test
    void theTokenNeverShowsInToString() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_TOKEN", "hf_secret"));

        assertFalse(c.toString().contains("hf_secret"));
    }
}
