# Sourced by ./idefics4j, ./run-tests and .ci/run: point JAVA_HOME at a JDK 25 when it is not one already.
idefics4j_is_jdk25() {
  [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | head -n 1 | grep -Eq '"25([.-]|")'
}
if [ -z "${JAVA_HOME:-}" ] || ! idefics4j_is_jdk25 "$JAVA_HOME"; then
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /opt/java/*25* /opt/jdk-25* "$HOME"/.sdkman/candidates/java/25*; do
    if [ -d "$candidate" ] && idefics4j_is_jdk25 "$candidate"; then
      export JAVA_HOME="$candidate"
      break
    fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || ! idefics4j_is_jdk25 "$JAVA_HOME"; then
  echo "idefics4j needs a JDK 25: set JAVA_HOME to one (none found under /usr/lib/jvm)" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8 itself trips the JDK 25 sun.misc.Unsafe warning; silence it for our builds.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
