import mapboxgl from "mapbox-gl";
import { useEffect, useRef } from "react";

// Mapbox `pk.` tokens are public by design; it still comes from the
// environment, one per deployment (runbook 000 §2.1 VITE_MAPBOX_TOKEN).
mapboxgl.accessToken = import.meta.env.VITE_MAPBOX_TOKEN ?? "";

export function HazardMap({ center }: { center: [number, number] }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!container.current || !mapboxgl.accessToken) return;
    const map = new mapboxgl.Map({ container: container.current, center, zoom: 13 });
    return () => map.remove();
  }, [center]);
  return <div ref={container} className="hazard-map" />;
}
