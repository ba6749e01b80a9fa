/**
 * Focus management: each screen's heading takes focus when it appears, so that keyboard and
 * screen-reader users land at the start of what changed.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** A ref for a heading (with `tabIndex={-1}`) that is focused when the component mounts. */
export function useFocusOnMount(): RefObject<HTMLHeadingElement | null> {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
