// The sweep page's script (see cli_report_sweep_script.hpp). The table is <table id="trial-table">
// with one <tr data-trial="N"> per trial; the filter box is #trial-filter and the count
// #trial-count; the plot is svg.pc (cli_svg.hpp describes its attributes).
#include "cli/report/cli_report_sweep_script.hpp"

namespace fnn {

const char* sweep_page_script() {
    return R"JS(<script>(function(){
var table=document.getElementById('trial-table');if(!table)return;
var body=table.tBodies[0],box=document.getElementById('trial-filter'),count=document.getElementById('trial-count');
var svg=document.querySelector('svg.pc'),lines=svg?[].slice.call(svg.querySelectorAll('.pc-line')):[];
var ranges={},brushes={},drag=null,sortCol=-1,sortUp=true;
function pos(l){return l.getAttribute('data-pos').split(',').map(Number);}
function kept(l){var p=pos(l);for(var a in ranges){if(p[a]<ranges[a][0]-1e-9||p[a]>ranges[a][1]+1e-9)return false;}return true;}
function apply(){
 var text=box?box.value.trim().toLowerCase():'',inside={},brushing=Object.keys(ranges).length>0,shown=0;
 lines.forEach(function(l){var k=kept(l);inside[l.getAttribute('data-trial')]=k;l.style.strokeOpacity=k?'':'0.05';});
 for(var i=0;i<body.rows.length;i++){var r=body.rows[i],t=r.getAttribute('data-trial');
  var ok=(t in inside?inside[t]:!brushing)&&(text===''||r.textContent.toLowerCase().indexOf(text)>=0);
  r.style.display=ok?'':'none';if(ok)shown++;}
 if(count)count.textContent=shown+' of '+body.rows.length+' trials shown';return shown;}
function key(cell){var t=cell.getAttribute('data-sort');if(t===null)t=cell.textContent;var v=parseFloat(t);return isNaN(v)?t.toLowerCase():v;}
function sortBy(c){sortUp=sortCol===c?!sortUp:true;sortCol=c;var rows=[].slice.call(body.rows);
 rows.sort(function(a,b){var x=key(a.cells[c]),y=key(b.cells[c]);var d=typeof x==='number'&&typeof y==='number'?x-y:(x<y?-1:x>y?1:0);return sortUp?d:-d;});
 rows.forEach(function(r){body.appendChild(r);});}
[].slice.call(table.tHead.rows[0].cells).forEach(function(h,c){h.style.cursor='pointer';h.title='sort';h.addEventListener('click',function(){sortBy(c);});});
if(box)box.addEventListener('input',apply);
function svgY(clientY){var p=svg.createSVGPoint();p.x=0;p.y=clientY;return p.matrixTransform(svg.getScreenCTM().inverse()).y;}
function draw(rect,y0,y1){var a=rect.getAttribute('data-axis'),b=brushes[a];
 if(!b){b=document.createElementNS('http://www.w3.org/2000/svg','rect');b.setAttribute('fill','#d62728');b.setAttribute('fill-opacity','0.25');b.setAttribute('pointer-events','none');svg.appendChild(b);brushes[a]=b;}
 b.setAttribute('x',+rect.getAttribute('x')-2);b.setAttribute('width',+rect.getAttribute('width')+4);
 b.setAttribute('y',Math.min(y0,y1));b.setAttribute('height',Math.abs(y1-y0));}
[].slice.call(document.querySelectorAll('.pc-axis')).forEach(function(rect){
 rect.addEventListener('mousedown',function(e){e.preventDefault();var y=svgY(e.clientY);drag={rect:rect,y0:y,y1:y};});});
document.addEventListener('mousemove',function(e){if(drag){drag.y1=svgY(e.clientY);draw(drag.rect,drag.y0,drag.y1);}});
document.addEventListener('mouseup',function(e){if(!drag)return;drag.y1=svgY(e.clientY);
 var r=drag.rect,a=r.getAttribute('data-axis'),top=+r.getAttribute('data-top'),h=+r.getAttribute('data-height');
 if(Math.abs(drag.y1-drag.y0)<3){delete ranges[a];if(brushes[a])brushes[a].setAttribute('height',0);}
 else{var hi=1-(Math.min(drag.y0,drag.y1)-top)/h,lo=1-(Math.max(drag.y0,drag.y1)-top)/h;ranges[a]=[Math.max(0,lo),Math.min(1,hi)];draw(r,drag.y0,drag.y1);}
 drag=null;apply();});
apply();
window.addEventListener('load',function(){if(location.hash!=='#selftest'||!svg)return;
 var total=body.rows.length,before=apply(),axes=document.querySelectorAll('.pc-axis'),axis=axes[axes.length-1],b=axis.getBoundingClientRect();
 function fire(type,target,y){target.dispatchEvent(new MouseEvent(type,{bubbles:true,clientX:b.left+b.width/2,clientY:y}));}
 fire('mousedown',axis,b.top+1);fire('mousemove',document,b.top+b.height*0.5);fire('mouseup',document,b.top+b.height*0.5);
 var brushed=apply();
 function ordered(c,dir){var last=null,ok=true;for(var i=0;i<body.rows.length;i++){var k=key(body.rows[i].cells[c]);if(last!==null&&typeof k==='number'&&(k-last)*dir<0)ok=false;last=k;}return ok;}
 var head=table.tHead.rows[0].cells[2];head.click();var up=ordered(2,1);head.click();var down=ordered(2,-1);
 fire('mousedown',axis,b.top+10);fire('mouseup',document,b.top+10);
 console.log('fnn-sweep-check brush '+before+'->'+brushed+' of '+total+', sort '+(up&&down?'ok':'bad')+', cleared '+apply());});
})();</script>)JS";
}

}  // namespace fnn
